import { strict as assert } from 'node:assert';
import { clusterLimitsFromEnv, withClusterLimits } from '../../../../src/node/clusterLimits';

describe('cluster limits from GITOPS_DRIFT_* variables', () => {
  it('reads seconds, megabytes and connections; unset variables leave the defaults', () => {
    assert.deepEqual(clusterLimitsFromEnv({}), {});
    assert.deepEqual(
      clusterLimitsFromEnv({
        GITOPS_DRIFT_REQUEST_TIMEOUT: '2.5',
        GITOPS_DRIFT_MAX_RESPONSE_MB: '64',
        GITOPS_DRIFT_MAX_CONNECTIONS: '8',
        GITOPS_DRIFT_EXEC_TIMEOUT: '10',
      }),
      {
        requestTimeoutMs: 2500,
        maxResponseBytes: 64 * 1024 * 1024,
        maxConnections: 8,
        execTimeoutMs: 10_000,
      },
    );
  });

  it('refuses values that are not positive numbers, naming the variable', () => {
    assert.throws(
      () => clusterLimitsFromEnv({ GITOPS_DRIFT_MAX_CONNECTIONS: '2.5' }),
      /GITOPS_DRIFT_MAX_CONNECTIONS must be a positive number of connections, not "2.5"/,
    );
    assert.throws(
      () => clusterLimitsFromEnv({ GITOPS_DRIFT_REQUEST_TIMEOUT: '0' }),
      /GITOPS_DRIFT_REQUEST_TIMEOUT must be a positive number of seconds/,
    );
    assert.throws(() => clusterLimitsFromEnv({ GITOPS_DRIFT_MAX_RESPONSE_MB: '-1' }), /GITOPS_DRIFT_MAX_RESPONSE_MB/);
    assert.throws(
      () => clusterLimitsFromEnv({ GITOPS_DRIFT_MAX_RESPONSE_MB: '4096' }),
      /GITOPS_DRIFT_MAX_RESPONSE_MB can be at most 500 \(MB\)/,
    );
    assert.equal(clusterLimitsFromEnv({ GITOPS_DRIFT_MAX_RESPONSE_MB: '500' }).maxResponseBytes, 500 * 1024 * 1024);
  });

  it('explicit options win over the environment', () => {
    const env = { GITOPS_DRIFT_REQUEST_TIMEOUT: '5' };
    assert.equal(withClusterLimits({ env, requestTimeoutMs: 100 }).requestTimeoutMs, 100);
    assert.equal(withClusterLimits({ env, requestTimeoutMs: undefined }).requestTimeoutMs, 5000);
  });
});
