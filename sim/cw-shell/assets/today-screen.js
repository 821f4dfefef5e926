// Today screen: ConnectWise loads a hosted tab the first time it is opened.
import { hostPods } from './hosted-host.js';

const host = hostPods({ member: document.body.dataset.member });

function open(key) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.tab === key));
  }
  for (const panel of document.querySelectorAll('[role=tabpanel]')) {
    const shown = panel.dataset.panel === key;
    panel.hidden = !shown;
    const iframe = panel.querySelector('iframe[data-pod-src]');
    if (shown && iframe && !iframe.src) host.attach(iframe);
  }
}

for (const tab of document.querySelectorAll('[role=tab]')) {
  tab.addEventListener('click', () => open(tab.dataset.tab));
}
open(document.querySelector('[role=tab][aria-selected=true]')?.dataset.tab ?? 'calendar');
