/**
 * The interfaces the core needs from the outside world. Adapters live in src/node (and tests use the
 * in-memory ones in src/core/memoryFileSystem.ts).
 */
import type { KubeObject } from './model/resource';

/** A directory entry. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** Read-only file access. Paths are absolute, with `/` separators. */
export interface FileSystem {
  /** Throws an error with `code: 'ENOENT'` when the file does not exist. */
  readFile(path: string): Promise<string>;
  readDir(path: string): Promise<DirEntry[]>;
  /** Undefined when nothing exists at the path. */
  stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined>;
}

/** Where core code logs. The editor passes its LogOutputChannel; the CLI logs to stderr when asked. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** How the API server serves a kind. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

/** What a LIST of one kind in one namespace (or cluster-wide, namespace '') returned. */
export type ListOutcome =
  | { status: 'ok'; items: KubeObject[]; resourceVersion: string }
  | { status: 'unknownKind' }
  | { status: 'forbidden'; verb: string; resource: string; message: string }
  | { status: 'error'; message: string };

/** Read access to a cluster. The client-node adapter lives in src/node; tests fake it. */
export interface ClusterReader {
  /** The API's type for a group/kind, undefined when the cluster does not serve it. */
  resourceType(group: string, kind: string): Promise<ResourceType | undefined>;
  /** All objects of a kind in a namespace ('' = all namespaces / cluster-scoped). */
  list(type: ResourceType, namespace: string): Promise<ListOutcome>;
}
