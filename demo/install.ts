/**
 * Installs leadgate into an emulated portal or org the way an admin's browser would: our install route
 * (`/install/hubspot`, `/install/salesforce`) redirects to the CRM's authorize page, which approves and
 * redirects to our callback with code and state.
 */
export class DemoInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoInstallError';
  }
}

async function redirectOf(url: string, step: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || location === null) {
    throw new DemoInstallError(`${step} answered ${res.status} instead of a redirect`);
  }
  return location;
}

export async function installThroughOAuth(
  baseUrl: string,
  installPath: '/install/hubspot' | '/install/salesforce' = '/install/hubspot',
): Promise<void> {
  const authorizeAt = await redirectOf(`${baseUrl}${installPath}`, `the install route ${installPath}`);
  const callback = await redirectOf(authorizeAt, 'the authorize page');
  const res = await fetch(callback, { redirect: 'manual' });
  if (res.status !== 200) {
    // The page names the reason (declined, expired state); no tokens are in it.
    throw new DemoInstallError(`the install callback answered ${res.status}: ${await res.text()}`);
  }
}
