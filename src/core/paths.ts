/** Resolves `.` and `..` in an absolute `/`-separated path, never above the root: `/a/./b/../c` → `/a/c`. */
export function normalizeAbsolute(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}
