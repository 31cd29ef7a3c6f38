/** Types for seedExample.mjs, which the TypeScript snapshot script imports. */
export interface ExampleCluster {
  kubeconfigPath: string;
  adminContext: string;
}

export function applyExample(options: {
  workspace: string;
  cluster: ExampleCluster;
  testbedBin: (tool: 'kubectl' | 'kustomize') => string;
}): {
  kubectl: (args: string[], input?: string) => string;
  generated: (env: string, prefix: string) => string;
};

export function seedExample(options: {
  workspace: string;
  cluster: ExampleCluster;
  testbedBin: (tool: 'kubectl' | 'kustomize') => string;
}): { secretValue: string };
