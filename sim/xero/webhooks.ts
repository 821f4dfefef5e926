import { createHmac, randomBytes } from 'node:crypto';

export type EventCategory = 'INVOICE' | 'CONTACT' | 'CREDITNOTE';

export interface Delivery {
  url: string;
  status: number | undefined;
  error: string | undefined;
  body: unknown;
}

export interface IntentResult {
  validSignatureAnswered200Empty: boolean;
  badSignatureAnswered401: boolean;
  passed: boolean;
}

const sign = (key: string, raw: string) => createHmac('sha256', key).update(raw).digest('base64');

/** Sends Xero-style webhook batches, signed with x-xero-signature, to the one registered receiver. */
export class WebhookSender {
  private target: { url: string; key: string } | undefined;
  private sequence = 0;
  readonly deliveries: Delivery[] = [];
  intent: IntentResult | undefined;
  private pending = new Set<Promise<void>>();

  reset(): void {
    this.target = undefined;
    this.sequence = 0;
    this.deliveries.length = 0;
    this.intent = undefined;
  }

  register(url: string, key: string): void {
    this.target = { url, key };
  }

  notify(
    tenantId: string,
    category: EventCategory,
    resourceId: string,
    eventType: 'CREATE' | 'UPDATE',
  ): void {
    if (!this.target) return;
    const { url, key } = this.target;
    this.sequence += 1;
    const collection = { INVOICE: 'Invoices', CONTACT: 'Contacts', CREDITNOTE: 'CreditNotes' }[category];
    const body = {
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/${collection}/${resourceId}`,
          resourceId,
          eventDateUtc: new Date().toISOString(),
          eventType,
          eventCategory: category,
          tenantId,
          tenantType: 'ORGANISATION',
        },
      ],
      firstEventSequence: this.sequence,
      lastEventSequence: this.sequence,
      entropy: randomBytes(10).toString('hex').toUpperCase(),
    };
    const delivery = this.post(url, key, body).then((result) => {
      this.deliveries.push({ url, body, ...result });
    });
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Waits for deliveries already started; tests call it before reading what was delivered. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Xero's check before it enables a webhook: one correctly signed and one badly signed empty batch. */
  async intentToReceive(): Promise<IntentResult> {
    if (!this.target) throw new Error('no webhook registered');
    const { url, key } = this.target;
    const body = () => ({
      events: [],
      firstEventSequence: 0,
      lastEventSequence: 0,
      entropy: randomBytes(10).toString('hex'),
    });
    const good = await this.post(url, key, body());
    const bad = await this.post(url, `${key}-wrong`, body());
    this.intent = {
      validSignatureAnswered200Empty: good.status === 200 && good.text === '',
      badSignatureAnswered401: bad.status === 401,
      passed: good.status === 200 && good.text === '' && bad.status === 401,
    };
    return this.intent;
  }

  private async post(url: string, key: string, body: unknown) {
    const raw = JSON.stringify(body);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xero-signature': sign(key, raw) },
        body: raw,
        signal: AbortSignal.timeout(5000),
      });
      return { status: response.status, text: await response.text(), error: undefined };
    } catch (error) {
      return { status: undefined, text: '', error: String(error) };
    }
  }
}
