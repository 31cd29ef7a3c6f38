import assert from 'node:assert/strict';
import { doraPanelBody, leadTimeSvg, weeklyDeploymentsSvg } from '../../../src/core/editor/doraPanel';
import type { DoraReport, EnvironmentDora } from '../../../src/core/history/types';

function env(name: string, over: Partial<EnvironmentDora> = {}): EnvironmentDora {
  return {
    environment: name,
    deploymentFrequency: { deployments: 0, days: 30, perDay: 0, perWeek: 0, weekly: [] },
    leadTime: { artifacts: 0, samples: [] },
    changeFailureRate: { deployments: 0, failed: 0 },
    timeToRestore: { restored: 0, samples: [] },
    ...over,
  };
}

const report: DoraReport = {
  since: '2026-11-01T00:00:00.000Z',
  now: '2026-12-01T00:00:00.000Z',
  failureWindowDays: 7,
  environments: [
    env('dev', {
      deploymentFrequency: {
        deployments: 5,
        days: 30,
        perDay: 0.167,
        perWeek: 1.167,
        weekly: [
          { weekStart: '2026-11-02', deployments: 3 },
          { weekStart: '2026-11-09', deployments: 0 },
          { weekStart: '2026-11-16', deployments: 2 },
        ],
      },
      changeFailureRate: { deployments: 5, failed: 1, rate: 0.2 },
      timeToRestore: { restored: 1, medianSeconds: 43200, p90Seconds: 43200, samples: [43200] },
    }),
    env('prod <eu>', {
      deploymentFrequency: {
        deployments: 2,
        days: 30,
        perDay: 0.067,
        perWeek: 0.467,
        weekly: [{ weekStart: '2026-11-09', deployments: 2 }],
      },
      leadTime: {
        artifacts: 2,
        medianSeconds: 259200,
        p90Seconds: 345600,
        samples: [
          { artifact: 'ghcr.io/acme/web:1.1.0', seconds: 172800, startFrom: 'first-environment' },
          { artifact: 'ghcr.io/acme/web:1.3.0', seconds: 345600, startFrom: 'commit-trailer' },
        ],
      },
      changeFailureRate: { deployments: 2, failed: 0, rate: 0 },
    }),
  ],
  promotionLeadTime: [
    {
      chain: ['dev', 'prod <eu>'],
      artifacts: 1,
      medianSeconds: 172800,
      p90Seconds: 172800,
      samples: [{ artifact: 'ghcr.io/acme/web:1.1.0', seconds: 172800, startFrom: 'first-environment' }],
    },
  ],
  findings: [
    {
      kind: 'skipped-stage',
      environment: 'prod <eu>',
      message: 'ghcr.io/acme/web 1.3.1 reached prod without running in dev first',
      at: { file: 'envs/prod/kustomization.yaml', line: 10, column: 5 },
      commit: '92dd52d0000000000000000000000000000000000',
    },
  ],
};

/** The text of every element with `class="…cls…"` (a card's figures, in order). */
function texts(html: string, cls: string): string[] {
  return [...html.matchAll(new RegExp(`<span class="${cls}">([^<]*)</span>`, 'g'))].map((m) => m[1]);
}

describe('DORA panel (core/editor/doraPanel)', () => {
  it('shows the four metrics per environment as headline figures, with the counts behind them', () => {
    const html = doraPanelBody(report, { branch: 'main', head: 'abcdef1234' });
    const cards = [...html.matchAll(/<section class="card" data-metric="([^"]+)">(.*?)<\/section>/g)].map((m) => ({
      metric: m[1],
      values: texts(m[2], 'value'),
      details: texts(m[2], 'detail'),
    }));
    assert.deepEqual(
      cards.map((c) => [c.metric, c.values]),
      [
        ['deployment-frequency', ['1.167 / week', '0.467 / week']],
        ['lead-time', ['–', '3d']],
        ['change-failure-rate', ['20%', '0%']],
        ['time-to-restore', ['12h', '–']],
      ],
    );
    assert.deepEqual(cards[0].details, ['5 in 30 days · 0.167 / day', '2 in 30 days · 0.067 / day']);
    assert.equal(cards[1].details[1], 'median · p90 4d · 2 artifacts');
    assert.equal(cards[2].details[0], '1 of 5 deployments undone');
    assert.match(html, /2026-11-01 00:00Z to 2026-12-01 00:00Z \(30 days\) · main at abcdef1/);
    assert.match(html, /<li data-kind="skipped-stage">.*envs\/prod\/kustomization\.yaml:10 @ 92dd52d/);
  });

  it('escapes names from the repo everywhere (text and attributes)', () => {
    const html = doraPanelBody(report);
    assert.doesNotMatch(html, /prod <eu>/);
    assert.match(html, /prod &lt;eu&gt;/);
    assert.match(html, /data-environment="prod &lt;eu&gt;"/);
  });

  it('draws one bar per environment and week with deployments, its height proportional to the count', () => {
    const svg = weeklyDeploymentsSvg(report);
    const bars = [
      ...svg.matchAll(
        /<rect class="bar series-(\d)" data-environment="([^"]+)" data-week="([^"]+)" data-deployments="(\d+)" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g,
      ),
    ].map((m) => ({ series: m[1], env: m[2], week: m[3], n: Number(m[4]), height: Number(m[5]) }));
    assert.deepEqual(
      bars.map((b) => [b.series, b.env, b.week, b.n]),
      [
        ['0', 'dev', '2026-11-02', 3],
        ['1', 'prod &lt;eu&gt;', '2026-11-09', 2],
        ['0', 'dev', '2026-11-16', 2],
      ],
    );
    // The axis tops at 5 (the nice ceiling of 3) over 150 px: 3 → 90 px, 2 → 60 px.
    assert.deepEqual(
      bars.map((b) => b.height),
      [90, 60, 60],
    );
    // Every week keeps its place: three week labels.
    assert.deepEqual(
      [...svg.matchAll(/text-anchor="middle">(\d\d-\d\d)<\/text>/g)].map((m) => m[1]),
      ['11-02', '11-09', '11-16'],
    );
    assert.doesNotMatch(svg, /fill="#|style=/, 'colours come from the theme stylesheet, not the SVG');
  });

  it('plots each lead-time sample, the median and the p90 on one axis, and a row per promotion chain', () => {
    const svg = leadTimeSvg(report);
    assert.deepEqual(
      [...svg.matchAll(/<text class="label"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]),
      ['prod &lt;eu&gt;', 'dev → prod &lt;eu&gt;'],
    );
    assert.deepEqual(
      [...svg.matchAll(/<circle class="dot ([\w-]+)" data-seconds="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
      [
        ['series-1', 172800],
        ['series-1', 345600],
        ['chain', 172800],
      ],
    );
    assert.deepEqual(
      [...svg.matchAll(/<path class="(median|p90)" data-seconds="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
      [
        ['median', 259200],
        ['p90', 345600],
        ['median', 172800],
        ['p90', 172800],
      ],
    );
    assert.match(svg, /lead time in days/);
    assert.match(svg, /<title>ghcr\.io\/acme\/web:1\.3\.0: 4d to prod &lt;eu&gt; \(from a commit trailer\)<\/title>/);
  });

  it('says so when there is nothing to chart', () => {
    const empty: DoraReport = { ...report, environments: [env('dev')], promotionLeadTime: [], findings: [] };
    assert.match(weeklyDeploymentsSvg(empty), /No deployments in this window\./);
    assert.match(leadTimeSvg(empty), /No artifact reached a later environment/);
    assert.match(doraPanelBody(empty), /<h2>Promotion findings<\/h2><p>None\.<\/p>/);
  });
});
