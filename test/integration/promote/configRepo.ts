import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A config repo on disk with one environment in namespace `ns` (`extraResources`: more entries for its overlay). */
export function writeRepo(ns: string, extraResources: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'gitops-drift-putback-'));
  const files: Record<string, string> = {
    'base/kustomization.yaml':
      'resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: web-config\n    literals:\n      - LOG_LEVEL=info\n',
    'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
          envFrom:
            - configMapRef:
                name: web-config
`,
    'envs/test/kustomization.yaml': `namespace: ${ns}\nresources:\n  - ../../base\n${extraResources.map((r) => `  - ${r}\n`).join('')}`,
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}
