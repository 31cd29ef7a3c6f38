// What VS Code loads (package.json `main`: dist/extension.js, a few KB). It compiles the activation bundle
// (dist/activation.js, built from extension.ts: the views, providers and commands) with the V8 code cache an earlier
// window wrote, then hands over to its activate(). The cache lives in the extension's global storage, which only the
// context names, hence this small first step (src/vscode/codeCache.ts says how the cache is made and checked).
import { join } from 'node:path';
import type * as vscode from 'vscode';
import type { GitOpsDriftApi } from './extension';
import { type CodeCacheLoad, loadWithCodeCache } from './vscode/codeCache';

/** The activation bundle's exports (src/extension.ts). */
interface ActivationBundle {
  activate(context: vscode.ExtensionContext, activationCache?: CodeCacheLoad): GitOpsDriftApi;
  deactivate(): void;
}

/** The activation bundle, next to this file in a build. */
function activationBundle(): string {
  return join(__dirname, 'activation.js');
}

export function activate(context: vscode.ExtensionContext): GitOpsDriftApi {
  const bundle = activationBundle();
  const activationCache = loadWithCodeCache(bundle, join(context.globalStorageUri.fsPath, 'code-cache'), 'activation-');
  // Takes the module loaded above from Node's module cache (or, with the cache off, loads it as usual).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(bundle) as ActivationBundle).activate(context, activationCache);
}

export function deactivate(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(activationBundle()) as ActivationBundle).deactivate();
}
