/**
 * The DORA panel's content, as pure functions of a DoraReport: the four metrics as headline figures per environment,
 * two charts as SVG (deployments per ISO week per environment; the lead-time distribution, one row of samples per
 * environment with its median and p90 marked) and the figures behind them as tables, then the promotion findings.
 * Colours are never written here: elements carry classes the panel's stylesheet (DORA_PANEL_CSS) paints with the
 * theme's `--vscode-*` variables, so the charts follow the user's theme. Every text from the repo is escaped.
 */
import { duration, when } from '../history/describe';
import type { DoraReport, EnvironmentDora } from '../history/types';

/** How many environment colours the stylesheet defines (`series-0` … `series-5`); more environments reuse them. */
const SERIES = 6;

/** The panel's `<body>` content (no scripts: the panel runs none). */
export function doraPanelBody(report: DoraReport, context: { head?: string; branch?: string } = {}): string {
  const envs = report.environments;
  const days = envs[0]?.deploymentFrequency.days;
  const subtitle = [
    `${when(report.since)} to ${when(report.now)}${days ? ` (${days} days)` : ''}`,
    context.branch ? `${context.branch}${context.head ? ` at ${context.head.slice(0, 7)}` : ''}` : undefined,
    `a deployment undone within ${report.failureWindowDays} days counts as failed`,
  ].filter(Boolean);
  return [
    `<header><h1>DORA metrics</h1><p class="subtitle">${esc(subtitle.join(' · '))}</p></header>`,
    envs.length ? headline(envs) : '<p class="empty">No environments.</p>',
    legend(envs),
    '<section class="charts">',
    `<figure><figcaption>Deployments per week</figcaption>${weeklyDeploymentsSvg(report)}</figure>`,
    `<figure><figcaption>Lead time per artifact (median ◆, p90 ▲)</figcaption>${leadTimeSvg(report)}</figure>`,
    '</section>',
    figuresTable(report),
    findingsList(report),
  ].join('\n');
}

/** The four cards: each environment's figure, big, with the count behind it. */
function headline(envs: EnvironmentDora[]): string {
  const card = (title: string, id: string, rows: { value: string; detail: string }[]) =>
    `<section class="card" data-metric="${id}"><h2>${esc(title)}</h2>${rows
      .map(
        (r, i) =>
          `<div class="figure"><span class="env"><span class="swatch series-${i % SERIES}"></span>${esc(envs[i].environment)}</span><span class="value">${esc(r.value)}</span><span class="detail">${esc(r.detail)}</span></div>`,
      )
      .join('')}</section>`;
  return `<section class="headline">${[
    card(
      'Deployment frequency',
      'deployment-frequency',
      envs.map((e) => ({
        value: `${e.deploymentFrequency.perWeek} / week`,
        detail: `${e.deploymentFrequency.deployments} in ${e.deploymentFrequency.days} days · ${e.deploymentFrequency.perDay} / day`,
      })),
    ),
    card(
      'Lead time',
      'lead-time',
      envs.map((e) => ({
        value: duration(e.leadTime.medianSeconds),
        detail: e.leadTime.artifacts
          ? `median · p90 ${duration(e.leadTime.p90Seconds)} · ${plural(e.leadTime.artifacts, 'artifact')}`
          : 'no artifact with a start',
      })),
    ),
    card(
      'Change failure rate',
      'change-failure-rate',
      envs.map((e) => ({
        value: e.changeFailureRate.rate === undefined ? '–' : percent(e.changeFailureRate.rate),
        detail: `${e.changeFailureRate.failed} of ${plural(e.changeFailureRate.deployments, 'deployment')} undone`,
      })),
    ),
    card(
      'Time to restore',
      'time-to-restore',
      envs.map((e) => ({
        value: duration(e.timeToRestore.medianSeconds),
        detail: e.timeToRestore.restored
          ? `median · p90 ${duration(e.timeToRestore.p90Seconds)} · ${e.timeToRestore.restored} restored`
          : 'nothing to restore',
      })),
    ),
  ].join('')}</section>`;
}

function legend(envs: EnvironmentDora[]): string {
  return `<p class="legend">${envs
    .map((e, i) => `<span class="key"><span class="swatch series-${i % SERIES}"></span>${esc(e.environment)}</span>`)
    .join('')}</p>`;
}

const CHART_WIDTH = 640;

/**
 * Deployments per ISO week, one bar per environment in each week (the report's `weekly` figures), the count above
 * each bar that has one. Weeks without deployments keep their place, so gaps show.
 */
export function weeklyDeploymentsSvg(report: DoraReport): string {
  const envs = report.environments;
  const weeks = [...new Set(envs.flatMap((e) => e.deploymentFrequency.weekly.map((w) => w.weekStart)))].sort();
  if (!weeks.length || !envs.length) return emptySvg('No deployments in this window.');
  const counts = envs.map(
    (e) => new Map(e.deploymentFrequency.weekly.map((w) => [w.weekStart, w.deployments] as const)),
  );
  const max = Math.max(1, ...counts.flatMap((m) => [...m.values()]));
  const top = niceCeiling(max);
  const left = 34;
  const right = 8;
  const chartTop = 16;
  const chartHeight = 150;
  const bottom = chartTop + chartHeight;
  const height = bottom + 34;
  const slot = (CHART_WIDTH - left - right) / weeks.length;
  const barWidth = Math.max(2, Math.min(28, (slot * 0.8) / envs.length));
  const y = (v: number) => bottom - (v / top) * chartHeight;
  const parts: string[] = [];
  for (const tick of integerTicks(top)) {
    parts.push(
      `<line class="grid" x1="${left}" x2="${CHART_WIDTH - right}" y1="${fmt(y(tick))}" y2="${fmt(y(tick))}"/>`,
      `<text class="tick" x="${left - 6}" y="${fmt(y(tick) + 4)}" text-anchor="end">${tick}</text>`,
    );
  }
  const labelEvery = Math.ceil(weeks.length / 10);
  weeks.forEach((week, w) => {
    const groupLeft = left + w * slot + (slot - barWidth * envs.length) / 2;
    envs.forEach((e, i) => {
      const n = counts[i].get(week) ?? 0;
      if (!n) return;
      const x = groupLeft + i * barWidth;
      parts.push(
        `<rect class="bar series-${i % SERIES}" data-environment="${esc(e.environment)}" data-week="${week}" data-deployments="${n}" x="${fmt(x)}" y="${fmt(y(n))}" width="${fmt(barWidth - 1)}" height="${fmt(bottom - y(n))}"><title>${esc(`${e.environment}: ${plural(n, 'deployment')} in the week of ${week}`)}</title></rect>`,
        `<text class="count" x="${fmt(x + (barWidth - 1) / 2)}" y="${fmt(y(n) - 3)}" text-anchor="middle">${n}</text>`,
      );
    });
    if (w % labelEvery === 0)
      parts.push(
        `<text class="tick" x="${fmt(left + w * slot + slot / 2)}" y="${bottom + 16}" text-anchor="middle">${week.slice(5)}</text>`,
      );
  });
  parts.push(
    `<line class="axis" x1="${left}" x2="${CHART_WIDTH - right}" y1="${bottom}" y2="${bottom}"/>`,
    `<text class="tick" x="${left}" y="${bottom + 30}">weeks starting (Monday, UTC)</text>`,
  );
  return svg(height, 'Deployments per week per environment', parts);
}

/**
 * The lead-time distribution: one row per environment with samples (and one per promotion chain, first to last
 * environment), each artifact a dot at its lead time, the median a diamond and the p90 a triangle, on one time axis.
 */
export function leadTimeSvg(report: DoraReport): string {
  const rows = [
    ...report.environments.map((e, i) => ({
      label: e.environment,
      series: i % SERIES,
      samples: e.leadTime.samples,
      median: e.leadTime.medianSeconds,
      p90: e.leadTime.p90Seconds,
    })),
    ...report.promotionLeadTime.map((c) => ({
      label: `${c.chain[0]} → ${c.chain[c.chain.length - 1]}`,
      series: -1,
      samples: c.samples,
      median: c.medianSeconds,
      p90: c.p90Seconds,
    })),
  ].filter((r) => r.samples.length);
  if (!rows.length) return emptySvg('No artifact reached a later environment in this window.');
  const max = Math.max(...rows.flatMap((r) => r.samples.map((s) => s.seconds)), 60);
  const [unit, unitName] = max >= 2 * 86400 ? [86400, 'days'] : max >= 2 * 3600 ? [3600, 'hours'] : [60, 'minutes'];
  const top = niceCeiling(max / unit) * unit;
  const left = 130;
  const right = 16;
  const rowHeight = 28;
  const chartTop = 8;
  const bottom = chartTop + rows.length * rowHeight;
  const height = bottom + 36;
  const x = (s: number) => left + (s / top) * (CHART_WIDTH - left - right);
  const parts: string[] = [];
  for (const tick of integerTicks(top / unit)) {
    const tx = fmt(x(tick * unit));
    parts.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${chartTop}" y2="${bottom}"/>`,
      `<text class="tick" x="${tx}" y="${bottom + 16}" text-anchor="middle">${tick}</text>`,
    );
  }
  rows.forEach((row, r) => {
    const cy = chartTop + r * rowHeight + rowHeight / 2;
    const series = row.series < 0 ? 'chain' : `series-${row.series}`;
    parts.push(
      `<text class="label" x="${left - 8}" y="${fmt(cy + 4)}" text-anchor="end">${esc(row.label)}</text>`,
      `<line class="grid" x1="${left}" x2="${CHART_WIDTH - right}" y1="${fmt(cy)}" y2="${fmt(cy)}"/>`,
    );
    for (const s of row.samples)
      parts.push(
        `<circle class="dot ${series}" data-seconds="${s.seconds}" cx="${fmt(x(s.seconds))}" cy="${fmt(cy)}" r="5"><title>${esc(`${s.artifact}: ${duration(s.seconds)} to ${row.label} (from ${startLabel(s.startFrom)})`)}</title></circle>`,
      );
    if (row.median !== undefined) {
      const mx = x(row.median);
      parts.push(
        `<path class="median" data-seconds="${row.median}" d="M${fmt(mx)} ${fmt(cy - 9)}l6 9l-6 9l-6 -9z"><title>${esc(`${row.label}: median ${duration(row.median)}`)}</title></path>`,
      );
    }
    if (row.p90 !== undefined) {
      const px = x(row.p90);
      parts.push(
        `<path class="p90" data-seconds="${row.p90}" d="M${fmt(px)} ${fmt(cy - 12)}l5 8h-10z"><title>${esc(`${row.label}: p90 ${duration(row.p90)}`)}</title></path>`,
      );
    }
  });
  parts.push(
    `<line class="axis" x1="${left}" x2="${CHART_WIDTH - right}" y1="${bottom}" y2="${bottom}"/>`,
    `<text class="tick" x="${left}" y="${bottom + 32}">lead time in ${unitName}</text>`,
  );
  return svg(height, 'Lead time per artifact and environment', parts);
}

/** The figures behind the cards, one row per environment, and the promotion chains. */
function figuresTable(report: DoraReport): string {
  const head = [
    'environment',
    'deployments',
    'per day',
    'per week',
    'lead time median',
    'lead time p90',
    'artifacts',
    'failed',
    'change failure rate',
    'restore median',
    'restore p90',
  ];
  const rows = report.environments.map((e) => [
    e.environment,
    String(e.deploymentFrequency.deployments),
    String(e.deploymentFrequency.perDay),
    String(e.deploymentFrequency.perWeek),
    duration(e.leadTime.medianSeconds),
    duration(e.leadTime.p90Seconds),
    String(e.leadTime.artifacts),
    `${e.changeFailureRate.failed} of ${e.changeFailureRate.deployments}`,
    e.changeFailureRate.rate === undefined ? '–' : percent(e.changeFailureRate.rate),
    duration(e.timeToRestore.medianSeconds),
    duration(e.timeToRestore.p90Seconds),
  ]);
  const chains = report.promotionLeadTime.map(
    (c) =>
      `<li>${esc(c.chain.join(' → '))}: ${plural(c.artifacts, 'artifact')}, median ${esc(duration(c.medianSeconds))}, p90 ${esc(duration(c.p90Seconds))}</li>`,
  );
  return [
    '<section class="figures"><h2>The figures</h2>',
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows.map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`),
    '</tbody></table>',
    chains.length ? `<h3>Promotion lead time</h3><ul>${chains.join('')}</ul>` : '',
    '</section>',
  ].join('');
}

function findingsList(report: DoraReport): string {
  if (!report.findings.length) return '<section class="findings"><h2>Promotion findings</h2><p>None.</p></section>';
  return `<section class="findings"><h2>Promotion findings</h2><ul>${report.findings
    .map(
      (f) =>
        `<li data-kind="${esc(f.kind)}"><span class="kind">${esc(f.kind)}</span> ${esc(f.message)}${f.at ? ` <span class="at">${esc(`${f.at.file}:${f.at.line}`)}${f.commit ? ` @ ${esc(f.commit.slice(0, 7))}` : ''}</span>` : ''}</li>`,
    )
    .join('')}</ul></section>`;
}

/** The panel's stylesheet: layout, and every colour from the theme's variables. */
export const DORA_PANEL_CSS = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; }
h1 { font-size: 1.5em; margin: 16px 0 2px; font-weight: 600; }
h2 { font-size: 1.05em; margin: 0 0 8px; font-weight: 600; }
h3 { font-size: 1em; }
.subtitle, .detail, .legend, figcaption, .at { color: var(--vscode-descriptionForeground); }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 14px 0; }
.card { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-radius: 6px; padding: 10px 12px; background: var(--vscode-sideBar-background, transparent); }
.figure { display: grid; grid-template-columns: 6em 1fr; column-gap: 8px; align-items: baseline; margin: 4px 0; }
.figure .value { font-size: 1.6em; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .detail { grid-column: 1 / span 2; font-size: 0.9em; }
.env { font-weight: 600; }
.legend .key { margin-right: 16px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure { margin: 0; }
figcaption { margin-bottom: 4px; }
svg { width: 100%; height: auto; max-width: 760px; }
svg text { font-family: var(--vscode-font-family); font-size: 11px; fill: var(--vscode-charts-foreground); }
svg .label { font-size: 12px; }
.grid { stroke: var(--vscode-charts-lines); stroke-opacity: 0.35; }
.axis { stroke: var(--vscode-charts-lines); }
.series-0 { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); }
.series-1 { fill: var(--vscode-charts-green); background: var(--vscode-charts-green); }
.series-2 { fill: var(--vscode-charts-purple); background: var(--vscode-charts-purple); }
.series-3 { fill: var(--vscode-charts-orange); background: var(--vscode-charts-orange); }
.series-4 { fill: var(--vscode-charts-yellow); background: var(--vscode-charts-yellow); }
.series-5 { fill: var(--vscode-charts-red); background: var(--vscode-charts-red); }
.chain { fill: var(--vscode-charts-foreground); }
.dot { fill-opacity: 0.75; stroke: var(--vscode-editor-background); stroke-width: 1; }
.median { fill: var(--vscode-charts-foreground); }
.p90 { fill: var(--vscode-charts-red); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.findings .kind { font-family: var(--vscode-editor-font-family); color: var(--vscode-charts-orange); }
.empty { color: var(--vscode-descriptionForeground); }
`;

function svg(height: number, label: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-label="${esc(label)}">${parts.join('')}</svg>`;
}

function emptySvg(text: string): string {
  return svg(40, text, [`<text class="label" x="8" y="24">${esc(text)}</text>`]);
}

/** 1, 2, 5, 10, 20, 50, … at or above `n` (n ≥ 1 after rounding up). */
function niceCeiling(n: number): number {
  const c = Math.max(1, Math.ceil(n));
  const magnitude = 10 ** Math.floor(Math.log10(c));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= c) return step * magnitude;
  return 10 * magnitude;
}

/** Up to about five whole-number ticks from 0 to `top`. */
function integerTicks(top: number): number[] {
  const step = Math.max(1, niceCeiling(top / 5));
  const ticks: number[] = [];
  for (let t = 0; t <= top + 1e-9; t += step) ticks.push(t);
  return ticks;
}

function startLabel(from: 'first-environment' | 'commit-trailer' | 'oci-label'): string {
  return from === 'first-environment'
    ? 'the first environment'
    : from === 'commit-trailer'
      ? 'a commit trailer'
      : 'an OCI label';
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Escapes text for HTML and SVG content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
