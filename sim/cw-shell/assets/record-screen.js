// Invoice and company screens: pods beside the record, and a Save that waits for beforeSave.
import { hostPods } from './hosted-host.js';

const saveButton = document.getElementById('save-button');
const saveStatus = document.getElementById('save-status');
const dirtyFlag = document.getElementById('dirty-flag');
// The invoice screen's own fields (number, status), when this shell may edit them.
const form = document.getElementById('invoice-form');

let podsDirty = false;
const fieldsChanged = () =>
  form ? [...form.elements].filter((field) => field.name && field.value !== field.dataset.saved) : [];
const showDirty = () => {
  dirtyFlag.hidden = !podsDirty && fieldsChanged().length === 0;
};

const host = hostPods({
  member: document.body.dataset.member,
  onDirty: (dirty) => {
    podsDirty = dirty;
    showDirty();
  },
});
for (const iframe of document.querySelectorAll('iframe[data-pod-src]')) host.attach(iframe);
form?.addEventListener('input', showDirty);
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  saveButton.click();
});

/** Sends the changed fields; ConnectWise reloads the screen after a save, so the pods see it too. */
async function saveFields(changed) {
  const change = {};
  for (const field of changed) {
    change[field.name] = field.name === 'statusId' ? Number(field.value) : field.value;
  }
  const response = await fetch(`/__shell/invoices/${form.dataset.invoiceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  if (response.ok) return undefined;
  const body = await response.json().catch(() => ({}));
  return body?.errors?.[0]?.message ?? body?.message ?? `HTTP ${response.status}`;
}

saveButton.addEventListener('click', async () => {
  saveButton.disabled = true;
  saveStatus.textContent = 'Saving…';
  const { ok, results } = await host.beforeSave();
  if (!ok) {
    saveStatus.textContent = `Save blocked: a pod answered ${results.join(', ')}`;
    saveButton.disabled = false;
    return;
  }
  podsDirty = false;
  const changed = fieldsChanged();
  const refused = changed.length > 0 ? await saveFields(changed) : undefined;
  if (refused) {
    saveStatus.textContent = `Save failed: ${refused}`;
    showDirty();
    saveButton.disabled = false;
    return;
  }
  saveStatus.textContent = 'Saved';
  showDirty();
  if (changed.length > 0) window.location.reload();
  else saveButton.disabled = false;
});
