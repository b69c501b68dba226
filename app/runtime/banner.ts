import type { Runtime } from './build-runtime.ts';

/**
 * What `npm start` prints on stdout for a human: where it listens, and in sandbox mode how to call
 * the admin API. A new admin key is printed in full once; afterwards only the file holding it is named.
 */
export function runtimeBanner(
  runtime: Pick<Runtime, 'urls' | 'store' | 'jobTypes' | 'workerId' | 'sandbox' | 'config'>,
): string[] {
  const { urls, sandbox } = runtime;
  const lines = [
    `leadgate listening on ${urls.base} (store: ${runtime.store.kind}${runtime.config.sandbox ? ', sandbox mode' : ''})`,
    `  health:    ${urls.healthz}`,
    `  readiness: ${urls.readyz}`,
    `  metrics:   ${urls.metrics}`,
    `  admin API: ${urls.adminApi}`,
    runtime.jobTypes.length === 0
      ? `worker ${runtime.workerId}: running, no job handlers registered yet (it claims nothing)`
      : `worker ${runtime.workerId}: running, job types ${runtime.jobTypes.join(', ')}`,
  ];
  if (sandbox !== null) {
    const tenantUrl = `${urls.adminApi}/tenants/${sandbox.tenantId}`;
    if (sandbox.keySource === 'created') {
      lines.push(
        `sandbox admin API key (shown once; saved in ${sandbox.file}): ${sandbox.apiKey}`,
        `  try: curl -H "Authorization: Bearer ${sandbox.apiKey}" ${tenantUrl}`,
      );
    } else {
      lines.push(
        `sandbox admin API key: in ${sandbox.file} ("apiKey"), tenant ${sandbox.tenantId}`,
        `  try: curl -H "Authorization: Bearer $(node -p 'require(process.argv[1]).apiKey' ${sandbox.file})" ${tenantUrl}`,
      );
    }
  }
  return lines;
}
