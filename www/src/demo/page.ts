// The demos page: its stylesheet and the <redplay-console> element, taken
// from the npm package (`redplay/console`) as any docs page would.
import './page.css';
import 'redplay/console';
