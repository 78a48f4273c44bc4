// Headless Chromium (Debian's, installed by the scripts) driven by playwright-core, and the Temporal
// UI 2.54 gestures the journeys share. Selectors are roles, labels and visible text first; a
// data-testid only where the UI offers nothing else (the signal picker).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page, type Request } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../scripts/lib/chromium.js';
import { chromiumPath, temporalUiUrl } from './services.js';

/** Where screenshots go (git-ignored). */
export const artifactsDir = resolve(import.meta.dirname, '../../test-artifacts/ui');

export function uiUrl(): string {
  return temporalUiUrl().replace(/\/+$/, '');
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: \`npm test\` installs Debian's chromium (apt-get) when a UI test is selected`);
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

/** Saves a full-page screenshot as test-artifacts/ui/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * The pictures of docs/operating-from-the-ui.md: the viewport, or one element (a dialog, the Current
 * Details frame) to keep them small. They go to docs/images/ui/ with DR_UPDATE_DOCS=1 (how they are
 * regenerated), else beside the other screenshots, so a test run leaves the committed ones alone.
 */
export async function docShot(target: Page | Locator, name: string): Promise<void> {
  const dir = process.env.DR_UPDATE_DOCS === '1' ? resolve(import.meta.dirname, '../../docs/images/ui') : join(artifactsDir, 'docs');
  mkdirSync(dir, { recursive: true });
  await target.screenshot({ path: join(dir, `${name}.png`) });
}

/** Types into one of the UI's CodeMirror JSON editors, replacing what it held. */
async function typeJson(page: Page, editor: Locator, value: unknown): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // Already laid out as the editor formats it on blur, so the form keeps its size when focus leaves
  // (a dialog that grows under the pointer can swallow the next click).
  await page.keyboard.insertText(JSON.stringify(value, null, 2));
}

export interface StartForm {
  workflowId: string;
  taskQueue: string;
  workflowType: string;
  input: unknown;
}

/** Workflows list → Start Workflow → fills the form; `beforeSubmit` can take a screenshot. */
export async function startWorkflowFromUi(page: Page, form: StartForm, beforeSubmit?: () => Promise<void>): Promise<void> {
  await page.getByRole('link', { name: 'Start Workflow' }).click();
  await page.getByLabel('Workflow ID').fill(form.workflowId);
  await page.getByLabel('Task Queue').fill(form.taskQueue);
  await page.getByLabel('Workflow Type').fill(form.workflowType);
  await typeJson(page, page.getByRole('textbox', { name: 'Data' }), form.input);
  // The editor reformats its JSON when it loses focus and the form grows: leave it before clicking on.
  await page.getByLabel('Workflow Type').click();
  await page.getByText('Task Queue is Active').waitFor();
  await beforeSubmit?.();
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  await page.getByRole('link', { name: 'Workflow started successfully' }).waitFor();
}

/**
 * On a run's page: More Actions → Send a Signal → name and JSON input → Submit. The UI sends the
 * signal, then keeps the dialog spinning until its history long-poll (`waitNewEvent=true`) returns;
 * when the signal's events were already fetched, that poll waits for the run's next event, and the
 * dialog (and its disabled Cancel) stays so even when reopened. So on a dialog that stays open,
 * `arrived` asks the run whether the signal got there, the page is reloaded (which resets the
 * UI's dialog), and a signal that did not arrive is sent once more; a second failure fails the test.
 */
export async function sendSignal(page: Page, name: string, payload: unknown, shot?: string, arrived?: () => Promise<boolean>, doc?: string): Promise<void> {
  try {
    await trySendSignal(page, name, payload, shot, doc);
  } catch (err) {
    if (!arrived) throw err;
    const got = await arrived();
    console.warn(`sendSignal: the dialog kept spinning; the run ${got ? 'received' : 'did not receive'} "${name}": reloading the page${got ? '' : ' and sending it again'}`);
    await page.reload();
    if (!got) await trySendSignal(page, name, payload, shot && `${shot}-again`);
  }
}

async function trySendSignal(page: Page, name: string, payload: unknown, shot?: string, doc?: string): Promise<void> {
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
  // The picker lists the signals the workflow registered (with our descriptions).
  await dialog.getByTestId('signal-select-button').click();
  const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
  await option.waitFor();
  if (shot) await snap(page, `${shot}-picker`);
  await option.click();
  await typeJson(page, dialog.getByRole('textbox', { name: 'Data' }), payload);
  await dialog.getByText('Encoding').click();
  await page.waitForTimeout(300); // the dialog's 200 ms transition
  if (shot) await snap(page, shot);
  if (doc) await docShot(dialog, doc);
  // The requests Submit starts, so a dialog that stays open says which of them never finished.
  const pending = new Set<Request>();
  const track = (r: Request) => pending.add(r);
  const done = (r: Request) => pending.delete(r);
  page.on('request', track);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  try {
    // Seen spinning for over 20 s on this 2-core machine under a full test run: the bound is generous.
    await dialog.waitFor({ state: 'hidden', timeout: 45_000 });
  } catch (err) {
    await snap(page, `${shot ?? 'signal'}-not-sent`);
    const open = [...pending].map((r) => `${r.method()} ${r.url()}`).join(', ') || 'none';
    throw new Error(`The Send a Signal dialog stayed open after Submit; requests not finished: ${open}; it says: ${await dialog.innerText()}`, { cause: err });
  } finally {
    page.off('request', track);
    page.off('requestfinished', done);
    page.off('requestfailed', done);
  }
}

/** Reloads the page until `locator` shows (the run page refreshes itself, but not every panel). */
export async function reloadUntil(page: Page, locator: Locator, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch {
      if (Date.now() > deadline) {
        await snap(page, 'timed-out');
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} on ${page.url()} (screenshot: test-artifacts/ui/timed-out.png)`);
      }
      await page.reload();
    }
  }
}
