import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandIds } from '../../../src/vscode/commands/commandIds';
import { asDriftTarget, asEnvironmentName } from '../../../src/vscode/commands/driftTarget';

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

describe('extension manifest', () => {
  const commands = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));

  it('contributes exactly the commands of CommandIds (each registered by registerCommands)', () => {
    assert.deepEqual([...commands].sort(), Object.values(CommandIds).sort());
    const register = readFileSync(join(root, 'src/vscode/commands/registerCommands.ts'), 'utf8');
    for (const key of Object.keys(CommandIds))
      assert.match(register, new RegExp(`\\[CommandIds\\.${key}\\]:`), `registerCommands has no handler for ${key}`);
  });

  it('menus, welcome links and the status bar name only contributed commands', () => {
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string }[]>))
      for (const item of items) assert.ok(commands.has(item.command), `${menu}: ${item.command}`);
    for (const w of contributes.viewsWelcome as { contents: string }[]) {
      for (const m of w.contents.matchAll(/\(command:([\w.]+)\)/g))
        assert.ok(commands.has(m[1]) || m[1].startsWith('vscode.'), m[1]);
    }
  });

  it('every theme colour and setting the editor code uses is contributed, with a description', () => {
    const code = sources(join(root, 'src/vscode')).join('\n') + readFileSync(join(root, 'src/extension.ts'), 'utf8');
    const colors = new Set(contributes.colors.map((c: { id: string }) => c.id));
    const used = new Set([...code.matchAll(/'(gitopsDrift\.\w+(Foreground|Background))'/g)].map((m) => m[1]));
    assert.ok(used.size >= 5);
    for (const id of used) assert.ok(colors.has(id), `colour ${id} is not contributed`);
    const settings = readFileSync(join(root, 'src/vscode/settings.ts'), 'utf8');
    const props = contributes.configuration.properties as Record<
      string,
      { default?: unknown; markdownDescription?: string }
    >;
    const read = [...settings.matchAll(/(?:get<[^>]+>|userOnly)\('(\w+)'/g)].map((m) => `gitopsDrift.${m[1]}`);
    assert.ok(read.length >= 6);
    for (const key of read) {
      assert.ok(props[key], `${key} is read but not contributed`);
      assert.ok(
        'default' in props[key] && props[key].markdownDescription,
        `${key} needs a default and a markdownDescription`,
      );
    }
  });

  it('gives the YAML extension the JSON Schema of .gitops-drift.yaml, and ships it in the .vsix', () => {
    assert.deepEqual(contributes.yamlValidation, [
      { fileMatch: '.gitops-drift.yaml', url: './schemas/gitops-drift.schema.json' },
    ]);
    const schema = JSON.parse(readFileSync(join(root, contributes.yamlValidation[0].url), 'utf8'));
    assert.equal(
      schema.$schema,
      'http://json-schema.org/draft-07/schema#',
      'the YAML extension reads draft-07 and older',
    );
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!schemas/**'), '.vscodeignore ships schemas/');
  });

  it('restricts the settings that reach outside the workspace when it is untrusted', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), [
      'gitopsDrift.allowExecCredentials',
      'gitopsDrift.helm.chartDownloads',
      'gitopsDrift.kubeconfig',
    ]);
  });
});

describe('command arguments', () => {
  it('accepts tree elements and quick-fix targets, and nothing else', () => {
    const key = { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' };
    assert.deepEqual(asDriftTarget({ type: 'resource', id: 'x', env: 'prod', key }), { env: 'prod', key });
    assert.deepEqual(asDriftTarget({ env: 'prod', key, path: '/spec/replicas' }), {
      env: 'prod',
      key,
      path: '/spec/replicas',
    });
    assert.equal(asDriftTarget({ type: 'environment', id: 'env:prod', env: 'prod' }), undefined);
    assert.equal(asDriftTarget('prod'), undefined);
    assert.equal(asEnvironmentName({ type: 'environment', id: 'env:prod', env: 'prod' }), 'prod');
    assert.equal(asEnvironmentName(undefined), undefined);
  });
});
