// The demos page: its stylesheet and the <redplay-console> element.
import './page.css';
import './redplay-console';
