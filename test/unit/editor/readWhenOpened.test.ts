/**
 * src/vscode/views/readWhenOpened.ts: what expanding a row of the Environments view reads (extension.ts hands it every
 * onDidExpandElement): an environment's objects, or one Application's in a destination, and nothing for other rows.
 */
import assert from 'node:assert/strict';
import { readWhenOpened } from '../../../src/vscode/views/readWhenOpened';
import {
  applicationElement,
  environmentElement,
  groupElement,
  kindElement,
  messageElement,
} from '../../../src/vscode/views/treeElements';

describe('readWhenOpened: the read an opened row of the Environments view starts', () => {
  const reads: string[] = [];
  const store = {
    open: (env: string) => {
      reads.push(`open ${env}`);
      return Promise.resolve();
    },
    openApplication: (env: string, app: string) => {
      reads.push(`openApplication ${env} ${app}`);
      return Promise.resolve();
    },
  };
  beforeEach(() => (reads.length = 0));

  it("an environment row reads the environment, an Application row only that Application's objects", () => {
    readWhenOpened(store, environmentElement('prod.example.com'));
    readWhenOpened(store, applicationElement('prod.example.com', 'shop-3'));
    assert.deepEqual(reads, ['open prod.example.com', 'openApplication prod.example.com shop-3']);
  });

  it('a group, kind or message row reads nothing', () => {
    readWhenOpened(store, groupElement('cluster', 'prod', 'prod.example.com'));
    readWhenOpened(store, kindElement('prod.example.com', 'apps', 'Deployment', 'shop-3'));
    readWhenOpened(store, messageElement('prod.example.com', 'no objects'));
    assert.deepEqual(reads, []);
  });
});
