import { Customer, Invoice } from "./types";
import { mailer } from "../mail/mailer";
import { logger } from "../logger";

const SENDER = "billing@acme.example";

export interface SendResult {
  invoiceId: string;
  sentTo: string;
}

function subjectFor(invoice: Invoice): string {
  return `Invoice ${invoice.number} from Acme`;
}

export async function sendInvoice(invoice: Invoice, customer: Customer): Promise<SendResult> {
  const to = customer.contact.email;
  await mailer.send({
    from: SENDER,
    to,
    subject: subjectFor(invoice),
    attachments: [{ filename: `${invoice.number}.pdf`, path: invoice.pdfPath }],
  });
  logger.info("invoice sent", { invoiceId: invoice.id });
  return { invoiceId: invoice.id, sentTo: to };
}

export async function sendAll(invoices: Invoice[], customers: Map<string, Customer>): Promise<number> {
  let sent = 0;
  for (const invoice of invoices) {
    const customer = customers.get(invoice.customerId);
    if (!customer) {
      logger.warn("no customer for invoice", { invoiceId: invoice.id });
      continue;
    }
    await sendInvoice(invoice, customer);
    sent++;
  }
  return sent;
}
