/** A container image reference split the way kustomize's images transformer sees it. */
export interface ImageRef {
  /** Registry and repository, e.g. `ghcr.io/acme/web`. */
  name: string;
  tag?: string;
  /** `sha256:…` */
  digest?: string;
}

/** Splits `registry:5000/repo/name:tag@sha256:…`; a colon before the last `/` is a registry port, not a tag. */
export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return {
    name: hasTag ? rest.slice(0, colon) : rest,
    ...(hasTag ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** `name[:tag][@digest]`. */
export function formatImageRef(ref: ImageRef): string {
  return ref.name + (ref.tag ? ':' + ref.tag : '') + (ref.digest ? '@' + ref.digest : '');
}

/** `sha256:0123456789ab…`: enough to recognise a digest in a commit message or a list. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.length > colon + 13 ? digest.slice(0, colon + 13) + '…' : digest;
}

/** How a version reads in a message: the tag, and the short digest in parentheses when there is one. */
export function describeVersion(ref: ImageRef): string {
  if (ref.tag && ref.digest) return `${ref.tag} (${shortDigest(ref.digest)})`;
  return ref.tag ?? (ref.digest ? shortDigest(ref.digest) : 'latest');
}
