import {
  commonAnnotationSpecs,
  commonLabelSpecs,
  metadataLabelSpecs,
  templateLabelSpecs,
} from '../../../../src/core/render/kustomize/defaultConfig';
import type { FieldSpec } from '../../../../src/core/render/kustomize/fieldSpec';
import { applyPairs } from '../../../../src/core/render/kustomize/filters/metadataMaps';
import { runFilterTable } from '../../../support/filterTable';

/** One kustomization field that sets pairs: `commonLabels`, `commonAnnotations`, or one `labels:` entry. */
type Config =
  | { field: 'commonLabels' | 'commonAnnotations'; pairs: Record<string, string> }
  | {
      field: 'labels';
      pairs: Record<string, string>;
      includeSelectors?: boolean;
      includeTemplates?: boolean;
      fields?: FieldSpec[];
    };

const origin = { file: 'kustomization.yaml', line: 2, column: 3, kind: 'labels' } as const;

/** The field specs each field uses, chosen as kustomize.ts chooses them. */
function specsOf(c: Config): FieldSpec[] {
  if (c.field !== 'labels') return c.field === 'commonLabels' ? commonLabelSpecs : commonAnnotationSpecs;
  return [
    ...(c.fields ?? []),
    ...(c.includeSelectors ? commonLabelSpecs : c.includeTemplates ? templateLabelSpecs : metadataLabelSpecs),
  ];
}

const json = (v: unknown) => JSON.stringify(v);

const deployment = (meta: string, spec: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: ${meta}\nspec: ${spec}\n`;

runFilterTable<Config>({
  title: 'metadataMaps filter: labels and annotations (table)',
  apply(resources, c) {
    applyPairs(
      resources,
      Object.entries(c.pairs).map(([key, value]) => ({ key, value, origin })),
      specsOf(c),
      origin,
    );
  },
  kustomization(c) {
    if (c.field !== 'labels') return `${c.field}: ${json(c.pairs)}\n`;
    const entry: Record<string, unknown> = { pairs: c.pairs };
    if (c.includeSelectors) entry.includeSelectors = true;
    if (c.includeTemplates) entry.includeTemplates = true;
    if (c.fields) entry.fields = c.fields;
    return `labels: [${json(entry)}]\n`;
  },
  rows: [
    {
      name: 'commonLabels: creates metadata.labels and keeps existing pairs, overwriting the same key',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, labels: {app: old, keep: "yes"}}\n',
      config: { field: 'commonLabels', pairs: { app: 'web' } },
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: web}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, labels: {app: web, keep: "yes"}}\n',
    },
    {
      name: 'commonLabels: a Deployment gets them in its selector and pod template, created when missing',
      input: deployment('{name: web}', '{template: {spec: {containers: []}}}'),
      config: { field: 'commonLabels', pairs: { app: 'web', tier: '1' } },
      expected: deployment(
        '{name: web, labels: {app: web, tier: "1"}}',
        '{selector: {matchLabels: {app: web, tier: "1"}}, template: {metadata: {labels: {app: web, tier: "1"}}, spec: {containers: []}}}',
      ),
    },
    {
      name: 'commonLabels: a v1 Service gets them in spec.selector',
      input: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n',
      config: { field: 'commonLabels', pairs: { app: 'web' } },
      expected:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {app: web}}\nspec: {ports: [{port: 80}], selector: {app: web}}\n',
    },
    {
      name: 'commonLabels: a Job selector is set only where there is one; its template always',
      input:
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec: {template: {spec: {}}}\n---\n' +
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: b}\nspec: {selector: {matchLabels: {x: y}}, template: {spec: {}}}\n',
      config: { field: 'commonLabels', pairs: { app: 'j' } },
      expected:
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: a, labels: {app: j}}\nspec: {template: {metadata: {labels: {app: j}}, spec: {}}}\n---\n' +
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: b, labels: {app: j}}\nspec: {selector: {matchLabels: {x: y, app: j}}, template: {metadata: {labels: {app: j}}, spec: {}}}\n',
    },
    {
      name: 'commonLabels: a CronJob gets them on its job template and that template’s pod template',
      input:
        'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {}}}}}\n',
      config: { field: 'commonLabels', pairs: { app: 'c' } },
      expected:
        'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, labels: {app: c}}\nspec: {schedule: "@daily", jobTemplate: {metadata: {labels: {app: c}}, spec: {template: {metadata: {labels: {app: c}}, spec: {}}}}}\n',
    },
    {
      name: 'commonLabels: NetworkPolicy selectors inside ingress and egress lists, only where present',
      input:
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {matchLabels: {role: db}}\n' +
        '  ingress:\n  - from:\n    - podSelector: {matchLabels: {role: web}}\n    - namespaceSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n',
      config: { field: 'commonLabels', pairs: { app: 'shop' } },
      expected:
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, labels: {app: shop}}\nspec:\n  podSelector: {matchLabels: {role: db, app: shop}}\n' +
        '  ingress:\n  - from:\n    - podSelector: {matchLabels: {role: web, app: shop}}\n    - namespaceSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n',
    },
    {
      name: 'commonLabels: StatefulSet volume claim templates, each of them',
      input:
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template: {}\n  volumeClaimTemplates:\n  - metadata: {name: data}\n  - metadata: {name: logs, labels: {k: v}}\n',
      config: { field: 'commonLabels', pairs: { app: 'db' } },
      expected:
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, labels: {app: db}}\nspec:\n  selector: {matchLabels: {app: db}}\n  template: {metadata: {labels: {app: db}}}\n' +
        '  volumeClaimTemplates:\n  - metadata: {name: data, labels: {app: db}}\n  - metadata: {name: logs, labels: {k: v, app: db}}\n',
    },
    {
      name: 'commonLabels: a custom resource gets metadata labels only',
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {selector: {matchLabels: {a: b}}, template: {}}\n',
      config: { field: 'commonLabels', pairs: { app: 'w' } },
      expected:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {app: w}}\nspec: {selector: {matchLabels: {a: b}}, template: {}}\n',
    },
    {
      name: 'labels: without options, metadata only',
      input: deployment('{name: web}', '{selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}}}'),
      config: { field: 'labels', pairs: { team: 'x' } },
      expected: deployment(
        '{name: web, labels: {team: x}}',
        '{selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}}}',
      ),
    },
    {
      name: 'labels: includeTemplates reaches pod templates but not selectors',
      input: deployment('{name: web}', '{selector: {matchLabels: {a: b}}, template: {spec: {}}}'),
      config: { field: 'labels', pairs: { team: 'x' }, includeTemplates: true },
      expected: deployment(
        '{name: web, labels: {team: x}}',
        '{selector: {matchLabels: {a: b}}, template: {metadata: {labels: {team: x}}, spec: {}}}',
      ),
    },
    {
      name: 'labels: includeSelectors is commonLabels',
      input: deployment('{name: web}', '{template: {}}'),
      config: { field: 'labels', pairs: { team: 'x' }, includeSelectors: true },
      expected: deployment(
        '{name: web, labels: {team: x}}',
        '{selector: {matchLabels: {team: x}}, template: {metadata: {labels: {team: x}}}}',
      ),
    },
    {
      name: 'labels: extra fields with create make their maps, and without create skip missing ones',
      input:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      config: {
        field: 'labels',
        pairs: { team: 'x' },
        fields: [{ kind: 'Widget', path: 'spec/podLabels', create: true }, { path: 'spec/other' }],
      },
      expected:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {team: x}}\nspec: {podLabels: {team: x}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {team: x}}\n',
    },
    {
      name: 'commonLabels: replaces a null labels map',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: null\n',
      config: { field: 'commonLabels', pairs: { app: 'web' } },
      expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: web}}\n',
    },
    {
      name: 'commonAnnotations: metadata and pod templates, never selectors',
      input:
        deployment('{name: web, annotations: {a: "1"}}', '{selector: {matchLabels: {a: b}}, template: {spec: {}}}') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n',
      config: { field: 'commonAnnotations', pairs: { owner: 'team-x', note: 'a: b' } },
      expected:
        deployment(
          '{name: web, annotations: {a: "1", owner: team-x, note: "a: b"}}',
          '{selector: {matchLabels: {a: b}}, template: {metadata: {annotations: {owner: team-x, note: "a: b"}}, spec: {}}}',
        ) +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: s, annotations: {owner: team-x, note: "a: b"}}\nspec: {}\n',
    },
  ],
});
