/** Static SVG plots for reports: Vega-Lite specs rendered headless by Vega (no browser needed). */
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface LineChartSpec {
  title: string;
  data: Record<string, unknown>[];
  x: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  /** Field that splits series (estimator, seed, ...). */
  color?: string;
  logY?: boolean;
  logX?: boolean;
  points?: boolean;
  /** Shaded band between two fields (e.g. min and max over seeds). */
  band?: { lo: string; hi: string };
  /** Extra layers drawn as faint points (e.g. raw episode returns under a smoothed curve). */
  scatter?: { data: Record<string, unknown>[]; y: string };
  width?: number;
  height?: number;
}

export async function lineChartSvg(s: LineChartSpec): Promise<string> {
  const xEnc = { field: s.x, type: 'quantitative', title: s.xTitle ?? s.x, ...(s.logX ? { scale: { type: 'log' } } : {}) };
  const yEnc = { field: s.y, type: 'quantitative', title: s.yTitle ?? s.y, scale: s.logY ? { type: 'log' } : { zero: false } };
  const color = s.color ? { field: s.color, type: 'nominal' } : undefined;
  const line = {
    data: { values: s.data },
    mark: { type: 'line', point: s.points ?? false, strokeWidth: 2 },
    encoding: { x: xEnc, y: yEnc, ...(color ? { color } : {}) },
  };
  const layers: object[] = [];
  if (s.scatter) {
    layers.push({
      data: { values: s.scatter.data },
      mark: { type: 'point', size: 6, opacity: 0.25, filled: true },
      encoding: { x: xEnc, y: { ...yEnc, field: s.scatter.y }, ...(color ? { color } : {}) },
    });
  }
  if (s.band) {
    layers.push({
      data: { values: s.data },
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x: xEnc, y: { field: s.band.lo, type: 'quantitative', title: s.yTitle ?? s.y }, y2: { field: s.band.hi }, ...(color ? { color } : {}) },
    });
  }
  layers.push(line);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: s.title,
    width: s.width ?? 520,
    height: s.height ?? 260,
    layer: layers,
    config: { legend: { labelLimit: 320 } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as vl.TopLevelSpec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
