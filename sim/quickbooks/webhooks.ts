import { createHmac, randomUUID } from 'node:crypto';
import type { ChangeOperation } from './entity-service.js';
import type { Entity, EntityName, Realm } from './realm-store.js';

export interface WebhookTarget {
  url: string;
  verifierToken: string;
}

const verbs: Record<ChangeOperation, string> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
};

/** Outgoing CloudEvents for invoice, credit memo and payment changes, signed as Intuit signs them. */
export class WebhookSender {
  target: WebhookTarget | undefined;
  sent = 0;
  failed = 0;
  private pending = new Set<Promise<void>>();

  notify(realm: Realm, name: EntityName, entity: Entity, operation: ChangeOperation): void {
    if (!this.target || !['Invoice', 'Payment', 'CreditMemo'].includes(name)) return;
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
      type: `qbo.${name.toLowerCase()}.${verbs[operation]}.v1`,
      datacontenttype: 'application/json',
      time: new Date().toISOString(),
      intuitentityid: entity.Id,
      intuitaccountid: realm.id,
      data: {},
    };
    this.post(this.target, JSON.stringify([event]));
  }

  /** Lets tests wait until every event left. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private post(target: WebhookTarget, body: string): void {
    const signature = createHmac('sha256', target.verifierToken).update(body).digest('base64');
    const sending = fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json', 'intuit-signature': signature },
      body,
    })
      .then((res) => {
        if (res.ok) this.sent += 1;
        else this.failed += 1;
      })
      .catch(() => {
        this.failed += 1;
      })
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }
}
