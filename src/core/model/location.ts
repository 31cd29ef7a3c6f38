/** A place in a repo file: path relative to the repo root with `/` separators; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** What kind of source set a rendered value. */
export type OriginKind =
  | 'resource' // a resource file (base or overlay)
  | 'strategicMergePatch'
  | 'json6902Patch'
  | 'image' // an `images:` entry
  | 'replicas' // a `replicas:` entry
  | 'generator' // configMapGenerator/secretGenerator entry (name, behavior, options)
  | 'generatorLiteral'
  | 'generatorFile'
  | 'generatorEnv'
  | 'namespace'
  | 'namePrefix'
  | 'nameSuffix'
  | 'labels' // commonLabels / labels
  | 'annotations' // commonAnnotations
  | 'replacement'
  | 'nameReference' // a reference rewritten after a rename (prefix/suffix/hash)
  | 'helmValue'; // a Helm value (a HelmRelease's `values:` line, a chart's values.yaml) a chart's template used

/** Where a rendered value came from. */
export interface Origin extends SourceLocation {
  kind: OriginKind;
  /**
   * Other places behind the value, shown as a diagnostic's related information: for a value a Flux postBuild
   * variable set, where that variable is defined (the origin itself stays at the line that holds `${VAR}`).
   */
  related?: { location: SourceLocation; message: string }[];
  /**
   * The value came from a Secret (a Flux postBuild variable from a Secret, SOPS-encrypted or not): the rendered
   * object holds a placeholder, never the value, and drift compares the field by presence only.
   */
  secret?: true;
}

/** `file:line:col`. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}
