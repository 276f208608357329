/**
 * Deterministic demo data: the same seed value always produces the same orders, chats, messages and file
 * bytes (in an empty store, the same ids too). Times are placed back from the emulator's clock at seeding
 * (`now`), so a demo looks current: a buyer waiting for the seller has waited minutes, some past a
 * 15-minute first-reply target, a few for hours; the same seed and clock give the same times.
 */
import { parcelPhoto } from './png.js';
import { intBetween, mulberry32, pick, type Rng } from './prng.js';
import { defaultCampaignId, type NewFile, type Store } from './store.js';
import type { ChatStatus, ContextType, Customer, Sender } from './types.js';

export interface SeedOptions {
  seed: number;
  businessId: number;
  /** Number of chats; about 60 by default. */
  chats?: number;
  /** Orders without a chat, for createChat to find. */
  spareOrders?: number;
  /** The emulator's clock at seeding (ms); every time is placed before it. */
  now: number;
}

export interface SeedSummary {
  businessId: number;
  seed: number;
  orders: number;
  returns: number;
  chats: number;
  messages: number;
  files: number;
}

/** The original timeline's start; only differences from it matter once each chat is moved next to `now`. */
const BASE_TIME = Date.UTC(2025, 8, 1, 6, 0, 0);
const MINUTE = 60_000;

/**
 * How long ago a chat's conversation stopped, drawn from a generator of its own so the texts, files and
 * ids stay what the main one makes for a seed. A waiting buyer: mostly within the 15-minute target, some
 * past it, a few for hours; others: minutes to days ago.
 */
function ageOf(timing: Rng, waiting: boolean): number {
  const roll = timing();
  if (waiting) {
    if (roll < 0.6) return intBetween(timing, 1, 14) * MINUTE;
    if (roll < 0.9) return intBetween(timing, 16, 55) * MINUTE;
    return intBetween(timing, 60, 240) * MINUTE;
  }
  if (roll < 0.5) return intBetween(timing, 5, 180) * MINUTE;
  return intBetween(timing, 180, 3 * 24 * 60) * MINUTE;
}

interface PlannedMessage {
  sender: Sender;
  text: string | undefined;
  files: NewFile[] | undefined;
  at: number;
}

/**
 * The chat's messages moved so its conversation ends `age` before `now`. For a waiting buyer the clock
 * starts at their first unanswered message, so that one lands at `now - age` and any later ones between
 * it and now; earlier messages keep their gaps.
 */
function placeInTime(messages: PlannedMessage[], now: number, age: number, waiting: boolean): void {
  let anchor = messages.length - 1;
  if (waiting) {
    const lastPartner = messages.findLastIndex((m) => m.sender === 'PARTNER');
    const first = messages.findIndex((m, i) => i > lastPartner && m.sender === 'CUSTOMER');
    if (first >= 0) anchor = first;
  }
  const shift = now - age - messages[anchor]!.at;
  for (const m of messages) m.at += shift;
  const after = messages.length - 1 - anchor;
  for (let k = 1; k <= after; k++) {
    // Evenly over the first 90 % of the wait, whole seconds.
    messages[anchor + k]!.at = now - age + Math.floor((((age * 0.9) / after) * k) / 1000) * 1000;
  }
}

const FIRST_NAMES_RU = [
  'Анна',
  'Иван',
  'Мария',
  'Дмитрий',
  'Ольга',
  'Сергей',
  'Екатерина',
  'Алексей',
  'Наталья',
  'Павел',
];
const LAST_INITIALS_RU = ['К.', 'С.', 'П.', 'М.', 'Н.', 'В.', 'Л.', 'Р.'];
const NAMES_EN = ['John Smith', 'Emily Clark', 'Michael Brown', 'Sofia Rossi', 'David Lee', 'Laura Chen'];

const CUSTOMER_RU = [
  'Здравствуйте! Когда будет доставлен мой заказ?',
  'Добрый день, посылка пришла с повреждённой коробкой.',
  'Можно ли поменять размер на M?',
  'Курьер не приехал в назначенное время.',
  'Спасибо, всё получил, товар отличный.',
  'Подскажите, есть ли гарантия на этот товар?',
  'В комплекте не хватает зарядного устройства.',
  'Хочу оформить возврат, товар не подошёл.',
  'Прикладываю фото брака.',
  'Когда вернутся деньги за возврат?',
];
const PARTNER_RU = [
  'Здравствуйте! Заказ передан в доставку, ожидайте в течение двух дней.',
  'Приносим извинения за неудобства. Уточните, пожалуйста, номер заказа.',
  'Да, гарантия производителя — 12 месяцев.',
  'Мы отправили недостающую деталь отдельной посылкой.',
  'Возврат одобрен, деньги поступят в течение 3–5 рабочих дней.',
  'Спасибо за отзыв! Будем рады видеть вас снова.',
  'Пришлите, пожалуйста, фотографию упаковки и товара.',
];
const CUSTOMER_EN = [
  'Hi, where is my order? Tracking has not moved for three days.',
  'The item arrived scratched. What can you do about it?',
  'Can I change the delivery address?',
  'Thanks, everything is fine now.',
  'Is this model compatible with a 220 V socket?',
];
const PARTNER_EN = [
  'Hello! Your parcel is with the courier and should arrive tomorrow.',
  'Sorry about that. Could you send a photo of the damage?',
  'Yes, it works with 220 V out of the box.',
  'We have issued a refund; it may take a few business days.',
];
const MARKET_RU = [
  'Покупатель открыл спор по заказу. Ответьте в течение 48 часов.',
  'Заказ доставлен покупателю.',
  'Напоминаем: ответьте покупателю, он ждёт ответа.',
];
const SUPPORT_RU = [
  'Служба поддержки подключилась к чату. Мы изучаем ситуацию.',
  'Решение по спору принято: возврат средств покупателю.',
];

function customerFor(rng: Rng, index: number): Customer {
  const english = rng() < 0.2;
  const name = english ? pick(rng, NAMES_EN) : `${pick(rng, FIRST_NAMES_RU)} ${pick(rng, LAST_INITIALS_RU)}`;
  const publicId = `${Math.floor(rng() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}${index.toString(36)}`;
  return { name, publicId };
}

function fileFor(rng: Rng, index: number): NewFile {
  if (rng() < 0.5) {
    // As many draws as the seed always made here, so every later seeded value stays the same.
    const noise = Array.from({ length: intBetween(rng, 400, 6000) - 2 }, () => rng());
    return { name: `photo_${index}.png`, contentType: 'image/png', data: parcelPhoto(noise) };
  }
  const text = `Чек / Receipt #${index}\nСумма / Total: ${intBetween(rng, 300, 90000)} RUB\n`;
  return {
    name: `чек_${index}.txt`,
    contentType: 'text/plain; charset=utf-8',
    data: Buffer.from(text, 'utf8'),
  };
}

function textFor(rng: Rng, sender: Sender, english: boolean): string {
  if (sender === 'MARKET') return pick(rng, MARKET_RU);
  if (sender === 'SUPPORT') return pick(rng, SUPPORT_RU);
  const pool =
    sender === 'CUSTOMER' ? (english ? CUSTOMER_EN : CUSTOMER_RU) : english ? PARTNER_EN : PARTNER_RU;
  const first = pick(rng, pool);
  return rng() < 0.25 ? `${first} ${pick(rng, pool)}` : first;
}

export function seedBusiness(store: Store, options: SeedOptions): SeedSummary {
  const rng = mulberry32(options.seed);
  const b = options.businessId;
  const chatCount = options.chats ?? 60;
  const summary: SeedSummary = {
    businessId: b,
    seed: options.seed,
    orders: 0,
    returns: 0,
    chats: 0,
    messages: 0,
    files: 0,
  };
  const campaignId = defaultCampaignId(b);
  const timing = mulberry32((options.seed ^ 0x5eed71e) >>> 0);
  // Order and return details (items, prices, statuses) from a generator of their own, like the timing.
  const details = mulberry32((options.seed ^ 0x0de7a115) >>> 0);
  const now = options.now;
  store.transaction(() => {
    let time = BASE_TIME;
    for (let i = 0; i < chatCount; i++) {
      time += intBetween(rng, 10, 36 * 60) * 60_000;
      const customer = customerFor(rng, i);
      const roll = rng();
      const contextType: ContextType = roll < 0.55 ? 'ORDER' : roll < 0.75 ? 'RETURN' : 'DIRECT';
      const arbitrage = contextType !== 'DIRECT' && rng() < 0.12;
      const finished = rng() < 0.15;
      const english = customer.name.indexOf(' ') > 0 && /^[A-Za-z]/.test(customer.name);
      const count = 3 + Math.floor(rng() ** 2 * 118);
      // The whole conversation is drawn first (in the order the generator always drew it), then placed in time.
      const messages: PlannedMessage[] = [];
      let at = time;
      let turn: Sender = contextType === 'RETURN' ? 'MARKET' : 'CUSTOMER';
      let last: Sender = turn;
      let fileNumber = summary.files;
      for (let m = 0; m < count; m++) {
        at += intBetween(rng, 1, 240) * 60_000;
        const sender: Sender = m === 0 ? turn : rng() < 0.04 ? 'MARKET' : rng() < 0.03 ? 'SUPPORT' : turn;
        const withFile = (sender === 'CUSTOMER' || sender === 'PARTNER') && rng() < 0.06;
        const files = withFile ? [fileFor(rng, ++fileNumber)] : undefined;
        const text = withFile && rng() < 0.4 ? undefined : textFor(rng, sender, english);
        messages.push({ sender, text, files, at });
        last = sender;
        if (sender === 'CUSTOMER') turn = 'PARTNER';
        else if (sender === 'PARTNER') turn = 'CUSTOMER';
        else turn = turn === 'CUSTOMER' ? 'PARTNER' : 'CUSTOMER';
      }
      const status: ChatStatus = finished
        ? 'FINISHED'
        : arbitrage
          ? 'WAITING_FOR_ARBITER'
          : last === 'PARTNER'
            ? 'WAITING_FOR_CUSTOMER'
            : 'WAITING_FOR_PARTNER';
      const firstGap = messages[0]!.at - time;
      const waiting = status === 'WAITING_FOR_PARTNER';
      placeInTime(messages, now, ageOf(timing, waiting) + (finished ? 3 * 24 * 60 * MINUTE : 0), waiting);
      const createdAt = messages[0]!.at - firstGap;

      let orderId: number | null = null;
      let returnId: number | null = null;
      if (contextType !== 'DIRECT') {
        const order = store.createOrder(b, { customer, campaignId }, createdAt - 86_400_000, details);
        orderId = order.order_id;
        summary.orders++;
        if (contextType === 'RETURN') {
          returnId = store.createReturn(b, { orderId }, createdAt - 3_600_000, details).return_id;
          summary.returns++;
        }
      }
      const chat = store.insertChat({
        businessId: b,
        contextType,
        orderId,
        returnId,
        campaignId: contextType === 'DIRECT' ? null : campaignId,
        customer,
        type: arbitrage ? 'ARBITRAGE' : 'CHAT',
        createdAt,
      });
      summary.chats++;
      for (const m of messages) {
        store.addMessage(chat, { sender: m.sender, text: m.text, files: m.files }, m.at);
        summary.messages++;
        if (m.files) summary.files++;
      }
      store.updateChat(b, chat.chat_id, { status });
      time = Math.max(time, at - intBetween(rng, 0, 48) * 3_600_000);
    }
    const spare = options.spareOrders ?? 10;
    for (let i = 0; i < spare; i++) {
      store.createOrder(
        b,
        { customer: customerFor(rng, chatCount + i), campaignId },
        now - (spare - i) * 60_000,
        details,
      );
      summary.orders++;
    }
  });
  return summary;
}
