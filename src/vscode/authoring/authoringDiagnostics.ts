/**
 * src/vscode/authoring/: the authoring features shown in the editor (lint diagnostics and quick fixes, effective-
 * value hovers, completion, links, rendered previews), each a thin provider over core/authoringTools.ts.
 */
import * as vscode from 'vscode';
import { AUTHORING_DOCS_URL, type LintFinding, type LintRange } from '../../core/authoring/finding';
import { AUTHORING_SOURCE, type DriftDiagnostics } from '../diagnostics/driftDiagnostics';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { repoUri } from '../repoFiles';

const SEVERITY: Record<LintFinding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

/** A 1-based, end-exclusive LintRange as a VS Code range. */
export function toRange(r: LintRange): vscode.Range {
  return new vscode.Range(
    Math.max(0, r.line - 1),
    Math.max(0, r.column - 1),
    Math.max(0, r.endLine - 1),
    Math.max(0, r.endColumn - 1),
  );
}

/**
 * Runs the authoring checks whenever the engine has taken in changed files (a save, a file created or deleted, a
 * reload) and shows them in the drift diagnostics' collection. Runs coalesce: changes during a run lint once
 * more afterwards. No cluster is involved; the first run waits for the first renders, so the tree fills first.
 */
export class AuthoringDiagnostics extends Disposable {
  private readonly findingOf = new WeakMap<vscode.Diagnostic, LintFinding>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: DriftStore,
    private readonly diagnostics: DriftDiagnostics,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(store.onDidChangeSources(() => this.schedule()));
  }

  /** The finding behind one of our diagnostics (for quick fixes). */
  findingFor(diagnostic: vscode.Diagnostic): LintFinding | undefined {
    return this.findingOf.get(diagnostic);
  }

  /** Resolves when no lint is queued or running. */
  async whenSettled(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => (this.running = undefined));
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.lintOnce();
      } catch (e) {
        this.log.error('authoring checks failed:', e instanceof Error ? (e.stack ?? e.message) : String(e));
      }
    } while (this.again && !this.isDisposed);
  }

  private async lintOnce(): Promise<void> {
    const root = this.store.repoRoot;
    if (!root) return;
    // The whole-repo lint takes seconds on a big repo, on the thread that also fills the tree: it waits until the
    // first renders are in the tree, and reuses them.
    await this.store.whenFirstRendered();
    if (this.isDisposed) return;
    const started = Date.now();
    const report = await (await this.store.getSession()).authoring.lint();
    if (this.isDisposed) return;
    const byUri = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const f of report.findings) {
      const uri = repoUri(root, f.range.file);
      const entry = byUri.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(this.toDiagnostic(f, root));
      byUri.set(uri.toString(), entry);
    }
    this.diagnostics.setAuthoring(byUri);
    this.log.info(
      `authoring checks: ${report.findings.length} findings in ${report.kustomizations} kustomizations (${Date.now() - started} ms)`,
    );
  }

  private toDiagnostic(f: LintFinding, root: string): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toRange(f.range), f.message, SEVERITY[f.severity]);
    d.source = AUTHORING_SOURCE;
    d.code = { value: f.code, target: vscode.Uri.parse(`${AUTHORING_DOCS_URL}#${f.code}`) };
    if (f.code === 'deprecated-field') d.tags = [vscode.DiagnosticTag.Deprecated];
    if (f.related?.length) {
      d.relatedInformation = f.related.map(
        (r) =>
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(
              repoUri(root, r.location.file),
              new vscode.Position(Math.max(0, r.location.line - 1), Math.max(0, r.location.column - 1)),
            ),
            r.message,
          ),
      );
    }
    this.findingOf.set(d, f);
    return d;
  }
}
