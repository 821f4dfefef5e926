// Invoice and company screens: pods beside the record, and a Save that waits for beforeSave.
import { hostPods } from './hosted-host.js';

const saveButton = document.getElementById('save-button');
const saveStatus = document.getElementById('save-status');
const dirtyFlag = document.getElementById('dirty-flag');

const host = hostPods({
  member: document.body.dataset.member,
  onDirty: (dirty) => {
    dirtyFlag.hidden = !dirty;
  },
});
for (const iframe of document.querySelectorAll('iframe[data-pod-src]')) host.attach(iframe);

saveButton.addEventListener('click', async () => {
  saveButton.disabled = true;
  saveStatus.textContent = 'Saving…';
  const { ok, results } = await host.beforeSave();
  saveStatus.textContent = ok ? 'Saved' : `Save blocked: a pod answered ${results.join(', ')}`;
  if (ok) dirtyFlag.hidden = true;
  saveButton.disabled = false;
});
