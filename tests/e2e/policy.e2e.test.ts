import { createHash, generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showDemoThread } from '../../scripts/demo/demoMailbox';
import { demoPanel } from '../../scripts/demo/startDemo';
import { SEED } from '../../server/seed';
import { SHIPPED_BUILD_DIR } from './harness/launchExtensionBrowser';
import { answerPermissionPromptsWithAllow } from './harness/permissionPrompts';
import { type ReferenceCrm, startReferenceCrm } from './harness/referenceCrm';
import { type E2eEnvironment, startE2eEnvironment } from './harness/startE2eEnvironment';

/**
 * Debian's Chromium reads enterprise policy from JSON files in this folder
 * (https://www.chromium.org/administrators/linux-quick-start/); extension policy goes under
 * "3rdparty" -> "extensions" -> the extension id (Chromium's ConfigDirPolicyLoader). Writing it
 * needs root, as in CI. The file is removed in afterAll, whatever happened.
 */
const POLICY_DIR = '/etc/chromium/policies/managed';

/**
 * An unpacked extension's id is derived from the manifest's `key` when it has one: the
 * SHA-256 of the public key (DER), first 16 bytes, each hex digit mapped to a-p
 * (https://developer.chrome.com/docs/extensions/reference/manifest/key). A key made for this
 * run gives an id no other Chromium on the machine uses, so the machine-wide policy file
 * reaches this test's browser alone.
 */
function keyedExtensionId(): { key: string; id: string } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  const id = [...hex].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
  return { key: der.toString('base64'), id };
}

/** What the admin keeps in the CRM: one rule decided for everyone, one list entry added, the rest left to reps. */
const ORG_SETTINGS = {
  excludedDomains: ['bank.example'],
  neverLogAddresses: [],
  neverLogDomains: [],
  filterAutomatedMail: true,
  privacyUpperBound: null,
  createContactPolicy: 'off',
};

describe('an organisation policy from a real Chromium policy file', () => {
  let crm: ReferenceCrm;
  let env: E2eEnvironment;
  let extensionDir: string;
  let extensionId: string;
  let policyFile: string;

  const policyFor = (crmUrl: string, privacyLevel: string) => ({
    organisationName: 'Example Ltd',
    crmType: 'rest',
    crmBaseUrl: crmUrl,
    privacyLevel,
    excludedDomains: ['partner.example'],
    neverLogDomains: ['hr.example.com'],
    autoLogReceived: false,
    // A JSON integer, so Chromium passes it (the schema keeps to JSON types), but not a
    // frequency the extension offers: it must be ignored and reported, not applied.
    syncFrequencyMinutes: 7,
    lockedSettings: ['crmType', 'crmBaseUrl', 'privacyLevel', 'autoLogReceived'],
  });
  const writePolicy = (crmUrl: string, privacyLevel: string) =>
    writeFile(
      policyFile,
      JSON.stringify(
        { '3rdparty': { extensions: { [extensionId]: policyFor(crmUrl, privacyLevel) } } },
        null,
        2,
      ),
    );

  beforeAll(async () => {
    crm = await startReferenceCrm();
    const { key, id } = keyedExtensionId();
    extensionId = id;
    extensionDir = await mkdtemp(join(tmpdir(), 'crm-sidebar-policy-ext-'));
    await cp(SHIPPED_BUILD_DIR, extensionDir, { recursive: true });
    const manifestPath = join(extensionDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, key }));
    await mkdir(POLICY_DIR, { recursive: true });
    policyFile = join(POLICY_DIR, `crm-sidebar-e2e-${id}.json`);
    await writePolicy(crm.handle.url, 'metadata');
    // The organisation's rules the admin keeps in the CRM (docs/CRM-CONTRACT.md,
    // "Organisation settings"), saved with the admin's token before any rep connects.
    const saved = await fetch(`${crm.handle.url}/api/v1/org/settings`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${crm.handle.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: ORG_SETTINGS }),
    });
    expect(saved.status).toBe(200);
    env = await startE2eEnvironment({ browser: { extensionDir } });
  });

  afterAll(async () => {
    // No policy file is left behind, even when a step failed.
    await rm(policyFile, { force: true });
    await env?.close();
    await crm?.close();
    await rm(extensionDir, { recursive: true, force: true });
  });

  it('loads the extension under the id the policy names', () => {
    expect(env.browser.extensionId).toBe(extensionId);
  });

  it('shows the policy values at chrome://policy', async () => {
    const page = await env.browser.newPage();
    await page.goto('chrome://policy');
    // The extension's policies are listed under its name; the rows may sit in a collapsed
    // part of the page, so they are counted, not required to be on screen.
    const shown = (text: string, exact = true) => page.getByText(text, { exact }).count();
    await expect.poll(() => shown('crmBaseUrl'), { timeout: 20_000 }).toBeGreaterThan(0);
    // Measured on Chromium 156: the page first lists the extension's policies (from its
    // managed_schema) as "Not set" although storage.managed already holds them; "Reload
    // policies" fills the values in.

    const allText = () =>
      page.evaluate(
        `(() => { const out = []; const walk = (n) => { if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim()); if (n.shadowRoot) walk(n.shadowRoot); n.childNodes.forEach(walk); }; walk(document.body); return out.join(' | '); })()`,
      ) as Promise<string>;
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Reload policies' }).click();
          await page.waitForTimeout(1_000);
          return allText();
        },
        { timeout: 30_000, interval: 2_000 },
      )
      .toContain(crm.handle.url);
    expect(await shown(crm.handle.url, false)).toBeGreaterThan(0);
    expect(await shown('lockedSettings')).toBeGreaterThan(0);
    expect(await shown('Example Ltd', false)).toBeGreaterThan(0);
    await page.close();
  });

  it('shows the locked values read-only in the options page, and the ignored value with its reason', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html'));
    await page.getByText('Managed by Example Ltd.').waitFor({ timeout: 15_000 });
    const baseUrl = page.getByLabel('Base URL');
    expect(await baseUrl.inputValue()).toBe(crm.handle.url);
    expect(await baseUrl.isDisabled()).toBe(true);
    expect(await page.getByLabel('CRM', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByLabel('API token').isDisabled()).toBe(false);
    expect(await page.getByRole('radio', { name: 'Who and when only' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Full text' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Log emails I receive from known contacts').isDisabled()).toBe(true);
    // A default, not locked: the rep may still change it.
    expect(await page.getByLabel('Log emails I send').isDisabled()).toBe(false);
    expect(await page.getByText(/^Set by your organisation/).count()).toBeGreaterThanOrEqual(4);
    await expect
      .poll(() => page.locator('.organisation-entries').allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringContaining('partner.example')]));
    const notice = page.getByRole('note', { name: 'Organisation policy' });
    expect(await notice.innerText()).toMatch(/syncFrequencyMinutes: .*Accepted: 5, 15 or 60/);
    await page.close();
  });

  it('the rep only gives their token: the set-up starts at the sign-in and a card is painted', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html#setup'));
    await answerPermissionPromptsWithAllow(page);
    // The CRM choice is made by the policy: the guide opens at the connection.
    await page.getByRole('heading', { name: 'Connect and test' }).waitFor({ timeout: 15_000 });
    const section = page.getByRole('region', { name: 'CRM connection' });
    const editable = await section.locator('input:enabled, select:enabled, textarea:enabled').count();
    // What the rep still fills in: the API token, and nothing else.
    expect(editable).toBe(1);
    await page.getByLabel('API token').fill(crm.handle.token);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // Saved and connected: the guide moves on by itself to the next open step (the CRM
    // choice and the locked privacy level were done by the policy).
    await page.getByRole('heading', { name: 'Mailbox (optional)' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('3 of 4 steps done').count()).toBe(1);
    await page.close();

    const mail = await env.browser.newPage();
    await showDemoThread(mail, 'known');
    await demoPanel(mail)
      .getByRole('article', { name: SEED.contacts.primary.name })
      .waitFor({ timeout: 20_000 });
    // The locked privacy level is in force in the panel.
    await expect
      .poll(() => demoPanel(mail).textContent())
      .toContain('Logging shares: sender, recipients, date and whether it has attachments');
    await mail.close();

    const popup = await env.browser.newPage();
    await popup.goto(env.browser.extensionUrl('popup.html'));
    await popup.getByText('Managed by Example Ltd.').waitFor({ timeout: 15_000 });
    await popup.close();
  });

  it('applies the organisation settings the admin keeps in the CRM once the rep is connected', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html'));
    const rules = page.getByRole('region', { name: 'Rules' });
    const skipAutomated = rules.getByRole('checkbox', { name: 'Skip automated mail' });
    await expect.poll(() => skipAutomated.isDisabled(), { timeout: 20_000 }).toBe(true);
    expect(await skipAutomated.isChecked()).toBe(true);
    const never = rules.getByRole('radio', { name: /^Never/ });
    expect(await never.isChecked()).toBe(true);
    expect(await never.isDisabled()).toBe(true);
    expect(await rules.getByText(/^Set by your organisation’s CRM/).count()).toBe(2);
    // The CRM's list entry is added to the policy's; the rep's own list stays editable.
    await expect
      .poll(() => rules.locator('.organisation-entries').allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringMatching(/bank\.example[\s\S]*partner\.example/)]));
    await page.close();
  });

  it('applies a changed policy file without a restart, and the open options page shows it without a reload', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.browser.extensionUrl('options.html'));
    const metadata = page.getByRole('radio', { name: 'Who and when only' });
    await metadata.waitFor({ timeout: 15_000 });
    expect(await metadata.isChecked()).toBe(true);
    await writePolicy(crm.handle.url, 'snippet');
    // Chromium reads policy files again on its own schedule; "Reload policies" at
    // chrome://policy asks at once. The options page is not reloaded: it hears the change.
    const policyPage = await env.browser.newPage();
    await policyPage.goto('chrome://policy');
    await expect
      .poll(
        async () => {
          await policyPage.getByRole('button', { name: 'Reload policies' }).click();
          return page.getByRole('radio', { name: 'Subject and preview' }).isChecked();
        },
        { timeout: 45_000, interval: 2_000 },
      )
      .toBe(true);
    await policyPage.close();
    await page.close();
  });

  it('raised no console errors', () => {
    expect(env.browser.pageErrors.filter((e) => !e.startsWith('chrome://'))).toEqual([]);
  });
});
