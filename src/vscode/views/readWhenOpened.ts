/**
 * What opening (expanding) a row of the Environments view reads: an Argo CD environment read as its status only
 * (fleet shape) has its objects read when opened; in a destination of several Applications, each Application's when
 * its row is opened. Other rows read nothing.
 */
import type { TreeElement } from './treeElements';

/** The store's two reads behind an opened row. */
export interface OpensRows {
  open(env: string): Promise<void>;
  openApplication(env: string, app: string): Promise<void>;
}

/** Starts the read an opened row calls for (the tree shows its progress; nothing waits for it). */
export function readWhenOpened(store: OpensRows, element: TreeElement): void {
  if (element.type === 'environment') void store.open(element.env);
  else if (element.type === 'application') void store.openApplication(element.env, element.app);
}
