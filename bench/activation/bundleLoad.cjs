// One sample, in a fresh process: time to load dist/extension.js and run activate() (our code only: `vscode` is a
// do-nothing stand-in, so the editor's own work is not counted). Prints JSON {loadMs, activateMs}.
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const path = require('node:path');

/** A stand-in where every property, call and construction yields itself (events return disposables, etc.). */
const noop = new Proxy(function () {}, {
  get: (_t, prop) => (prop === 'then' ? undefined : prop === Symbol.toPrimitive ? () => '' : noop),
  apply: () => noop,
  construct: () => noop,
  set: () => true,
});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
// The bundle copies the namespace's own keys (esbuild's ESM interop): list the ones the extension uses.
const api = Object.fromEntries(
  [
    'window',
    'workspace',
    'commands',
    'languages',
    'env',
    'extensions',
    'Uri',
    'EventEmitter',
    'Disposable',
    'ThemeColor',
    'ThemeIcon',
    'TreeItem',
    'TreeItemCollapsibleState',
    'MarkdownString',
    'Range',
    'Position',
    'Location',
    'Diagnostic',
    'DiagnosticSeverity',
    'DiagnosticRelatedInformation',
    'CodeAction',
    'CodeActionKind',
    'Hover',
    'StatusBarAlignment',
    'OverviewRulerLane',
    'ProgressLocation',
    'WorkspaceEdit',
    'CancellationError',
    'ExtensionMode',
    'QuickPickItemKind',
    'ViewColumn',
    'TabInputTextDiff',
    'FileType',
    'RelativePattern',
    'CompletionItem',
    'CompletionItemKind',
    'CompletionItemTag',
    'DiagnosticTag',
    'DocumentLink',
    'CodeLens',
  ].map((k) => [k, noop]),
);
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: api };

const bundle = process.env.BUNDLE || path.resolve(__dirname, '..', '..', 'dist', 'extension.js');
const t0 = performance.now();
const ext = require(bundle);
const t1 = performance.now();
ext.activate({
  subscriptions: [],
  workspaceState: noop,
  extensionUri: noop,
  globalStorageUri: noop,
  extension: { packageJSON: {} },
});
const t2 = performance.now();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1 }) + '\n');
