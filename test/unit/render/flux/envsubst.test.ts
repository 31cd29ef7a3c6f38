import assert from 'node:assert/strict';
import { evaluate, globMatch, SubstitutionSyntaxError } from '../../../../src/core/render/flux/envsubst';
import table from './envsubstCases.json';

const run = (text: string, vars: Record<string, string>) =>
  evaluate(text, (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined)).text;

describe('Flux variable syntax (envsubst)', () => {
  describe("Flux's own cases (fluxcd/pkg/envsubst TestExpand)", () => {
    for (const c of table.cases) {
      it(`${c.input} → ${c.output}`, () => assert.equal(run(c.input, c.params as Record<string, string>), c.output));
    }
  });

  it('gives every default form the default only when the variable is empty or unset', () => {
    for (const form of [':=', ':-', '=']) {
      assert.equal(run(`\${A${form}x}`, {}), 'x', form);
      assert.equal(run(`\${A${form}x}`, { A: '' }), 'x', form);
      assert.equal(run(`\${A${form}x}`, { A: 'set' }), 'set', form);
    }
    // Flux's parser knows no `${A-x}` (bash's "default when unset"): it is a missing closing brace there too.
    assert.throws(() => run('${A-x}', {}), /missing closing brace/);
  });

  it('substitutes an unset variable without a default with the empty string (non-strict, as kustomize-controller runs)', () => {
    assert.equal(run('host-${UNSET}.example', {}), 'host-.example');
  });

  it('keeps $${var} as the text ${var}, and $$ as $, and a $ not before { as it is', () => {
    assert.equal(run('$${A} ${A}', { A: 'x' }), '${A} x');
    assert.equal(run('cost: $$5 and $5', {}), 'cost: $5 and $5');
  });

  it('lists the variables a text read, once each, defaults included', () => {
    assert.deepEqual(evaluate('${A}-${B:=${C}}-${A}', () => undefined).variables, ['A', 'C', 'B']);
  });

  it('fails on a broken reference, as Flux fails the build', () => {
    assert.throws(
      () => run('${}', {}),
      (e: unknown) => e instanceof SubstitutionSyntaxError && /variable name/.test(e.message),
    );
    assert.throws(
      () => run('${A.B}', { A: 'x' }),
      (e: unknown) => e instanceof SubstitutionSyntaxError && /closing brace/.test(e.message),
    );
    assert.throws(() => run('${A', { A: 'x' }), SubstitutionSyntaxError);
  });

  it('fails on an unset variable in strict mode unless a default form handles it', () => {
    assert.throws(() => evaluate('${MISSING}', () => undefined, { strict: true }), /not set/);
    assert.equal(evaluate('${MISSING:-d}', () => undefined, { strict: true }).text, 'd');
  });

  it('matches shell patterns as envsubst/path.Match does (a trailing * takes the rest)', () => {
    assert.equal(globMatch('a*', 'a/b/c'), true);
    assert.equal(globMatch('a?c', 'abc'), true);
    assert.equal(globMatch('[a-c]x', 'bx'), true);
    assert.equal(globMatch('[^a-c]x', 'bx'), false);
    assert.equal(globMatch('[', 'a'), undefined);
  });
});
