// The bus diagram: every node on a circle (shard by shard), coloured by role
// and state, and the links a command's bus messages took drawn as arrows
// that fade out: PUBLISH fans out to every node, SPUBLISH stays inside the
// shard. Labels are set as text content only.
import type { ClusterNode } from 'redplay';
import { Link, address, circleLayout, nodeState } from './cluster-format.ts';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 220;
const RADIUS = 80;
const NODE_R = 13;
/** How long a flow stays drawn, in ms (its fade is in style.css). */
const FLOW_MS = 2000;

export class FlowDiagram {
  readonly root: SVGSVGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly flowLayer: SVGGElement;
  private centres: { x: number; y: number }[] = [];
  private circles: SVGGElement[] = [];

  constructor() {
    this.root = svg('svg', 'flow-diagram') as SVGSVGElement;
    this.root.setAttribute('viewBox', `0 0 ${SIZE} ${SIZE}`);
    this.root.setAttribute('role', 'img');
    this.root.setAttribute('aria-label', 'cluster bus: nodes and the messages of the last command');
    const defs = svg('defs');
    for (const kind of ['publish', 'shard', 'control']) {
      const marker = svg('marker', `arrow-${kind}`);
      marker.id = `arrow-${kind}`;
      attrs(marker, { viewBox: '0 0 6 6', refX: '6', refY: '3', markerWidth: '5', markerHeight: '5', orient: 'auto' });
      const tip = svg('path');
      tip.setAttribute('d', 'M0,0 L6,3 L0,6 z');
      marker.append(tip);
      defs.append(marker);
    }
    this.flowLayer = svg('g', 'flows') as SVGGElement;
    this.nodeLayer = svg('g', 'nodes') as SVGGElement;
    this.root.append(defs, this.flowLayer, this.nodeLayer);
  }

  /** Places and colours the nodes. */
  draw(nodes: ClusterNode[]): void {
    this.centres = circleLayout(nodes, SIZE / 2, RADIUS);
    this.circles = nodes.map((node, i) => {
      const g = svg('g', `flow-node ${node.primary === null ? 'primary' : 'replica'} ${nodeState(node)}`) as SVGGElement;
      g.dataset.index = String(i);
      const { x, y } = this.centres[i];
      const circle = svg('circle');
      attrs(circle, { cx: String(x), cy: String(y), r: String(NODE_R) });
      const label = svg('text');
      attrs(label, { x: String(x), y: String(y + 3.5), 'text-anchor': 'middle' });
      label.textContent = String(node.port);
      const title = svg('title');
      title.textContent = `${address(node)} (${node.primary === null ? 'primary' : 'replica'}, ${nodeState(node)})`;
      g.append(title, circle, label);
      return g;
    });
    this.nodeLayer.replaceChildren(...this.circles);
  }

  /** Highlights the node serving the typed key (none: null). */
  mark(index: number | null): void {
    this.circles.forEach((g, i) => g.classList.toggle('owner', i === index));
  }

  /** Draws one arrow per link that carried messages; they fade out. */
  animate(flow: Link[], kind: 'publish' | 'shard' | 'control'): void {
    this.flowLayer.replaceChildren();
    for (const link of flow) {
      const a = this.centres[link.from];
      const b = this.centres[link.to];
      if (!a || !b) continue;
      // Stop at the circles' edges so the arrow head shows.
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const length = Math.hypot(dx, dy) || 1;
      const ux = dx / length;
      const uy = dy / length;
      const line = svg('line', `flow flow-${kind}`);
      attrs(line, {
        x1: (a.x + ux * NODE_R).toFixed(1),
        y1: (a.y + uy * NODE_R).toFixed(1),
        x2: (b.x - ux * (NODE_R + 2)).toFixed(1),
        y2: (b.y - uy * (NODE_R + 2)).toFixed(1),
        'marker-end': `url(#arrow-${kind})`,
      });
      line.dataset.from = String(link.from);
      line.dataset.to = String(link.to);
      this.flowLayer.append(line);
    }
    const drawn = [...this.flowLayer.children];
    setTimeout(() => drawn.forEach((line) => line.remove()), FLOW_MS);
  }
}

function svg(tag: string, className?: string): SVGElement {
  const node = document.createElementNS(SVG, tag) as SVGElement;
  if (className) node.setAttribute('class', className);
  return node;
}

function attrs(node: Element, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) node.setAttribute(name, value);
}
