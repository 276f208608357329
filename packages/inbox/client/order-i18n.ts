/**
 * The order panel's words, in the page's language (`t('locale')`), and the API's order and return enums
 * as short phrases an agent reads at a glance. The platform adds values (an order's substatus has over a
 * hundred), so a value without a phrase is shown as the API wrote it.
 */
import type { T } from './i18n.js';

const ru = {
  order: 'Заказ',
  orderOf: 'Заказ {id}',
  returnOf: 'Возврат {id}',
  unredeemedOf: 'Невыкуп {id}',
  panel: 'Заказ и возврат',
  showPanel: 'Показать заказ',
  notLoaded: 'Ещё не загружен: синхронизация прочитает его при следующем проходе.',
  noOrder: 'Чат не о заказе.',
  missingScope:
    'Ключ API не даёт читать заказы: нужен доступ {scopes}. Чаты работают как обычно; заказы появятся, когда у ключа будет этот доступ.',
  or: ' или ',
  status: 'Статус',
  created: 'Оформлен',
  delivery: 'Доставка',
  deliveryDate: 'Срок доставки',
  delivered: 'Доставлен',
  items: 'Товары',
  total: 'Итого',
  count: '{n} шт.',
  refund: 'Деньги',
  shipment: 'Посылка',
  amount: 'К возврату',
  decision: 'Решение',
  reason: 'Причина',
  readAt: 'Данные от {at}',
  otherChats: 'Другие чаты покупателя',
  waiting: 'ждёт ответа',
  loadFailed: 'Не удалось загрузить заказ: {m}',
} as const;

type Key = keyof typeof ru;

const en: Record<Key, string> = {
  order: 'Order',
  orderOf: 'Order {id}',
  returnOf: 'Return {id}',
  unredeemedOf: 'Unredeemed {id}',
  panel: 'Order and return',
  showPanel: 'Show the order',
  notLoaded: 'Not loaded yet: sync reads it on its next pass.',
  noOrder: 'This chat is not about an order.',
  missingScope:
    'The API key cannot read orders: it needs the {scopes} scope. Chats work as usual; orders appear once the key has that access.',
  or: ' or ',
  status: 'Status',
  created: 'Placed',
  delivery: 'Delivery',
  deliveryDate: 'Delivery date',
  delivered: 'Delivered',
  items: 'Items',
  total: 'Total',
  count: '× {n}',
  refund: 'Money',
  shipment: 'Parcel',
  amount: 'Refund due',
  decision: 'Decision',
  reason: 'Reason',
  readAt: 'As of {at}',
  otherChats: "The buyer's other chats",
  waiting: 'waiting',
  loadFailed: 'Could not load the order: {m}',
};

export type OT = (key: Key, values?: Record<string, string | number>) => string;

/** Words for `t`'s language. */
export function orderWords(t: T): OT {
  const dict: Record<Key, string> = t('locale') === 'en' ? en : ru;
  return (key, values) =>
    dict[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}

/** [Russian, English] for each value the spec lists; a value missing here is shown as written. */
type Phrases = Readonly<Record<string, readonly [string, string]>>;

const ORDER_STATUS: Phrases = {
  PLACING: ['Оформляется', 'Being placed'],
  RESERVED: ['Зарезервирован', 'Reserved'],
  UNPAID: ['Не оплачен', 'Not paid'],
  PROCESSING: ['В обработке', 'Processing'],
  DELIVERY: ['Передан в доставку', 'Out for delivery'],
  PICKUP: ['В пункте выдачи', 'At the pickup point'],
  DELIVERED: ['Получен покупателем', 'Delivered'],
  CANCELLED: ['Отменён', 'Cancelled'],
  PENDING: ['Ждёт решения продавца', 'Awaiting the seller'],
  PARTIALLY_RETURNED: ['Возвращён частично', 'Partly returned'],
  RETURNED: ['Возвращён', 'Returned'],
  UNKNOWN: ['Неизвестно', 'Unknown'],
};

const ORDER_SUBSTATUS: Phrases = {
  STARTED: ['Подтверждён, можно собирать', 'Confirmed, ready to pack'],
  PACKAGING: ['Собирается', 'Being packed'],
  READY_TO_SHIP: ['Собран, готов к отправке', 'Packed, ready to ship'],
  SHIPPED: ['Отгружен', 'Shipped'],
  ASYNC_PROCESSING: ['Оформляется', 'Being placed'],
  AWAIT_CONFIRMATION: ['Ждёт подтверждения', 'Awaiting confirmation'],
  ANTIFRAUD: ['Проверяется антифродом', 'Fraud check'],
  PREORDER: ['Предзаказ', 'Pre-order'],
  AWAIT_PAYMENT: ['Ждёт оплаты', 'Awaiting payment'],
  AWAIT_PAYMENT_AFTER_DELIVERY: ['Оплата после доставки', 'Payment after delivery'],
  WAITING_FOR_STOCKS: ['Ждёт поступления на склад', 'Waiting for stock'],
  WAITING_USER_INPUT: ['Ждёт данных покупателя', "Awaiting the buyer's input"],
  WAITING_USER_DELIVERY_INPUT: ['Покупатель выбирает доставку', 'Buyer choosing delivery'],
  WAITING_BANK_DECISION: ['Ждёт решения банка', "Awaiting the bank's decision"],
  WAITING_TINKOFF_DECISION: ['Ждёт решения банка', "Awaiting the bank's decision"],
  BANK_REJECT_CREDIT_OFFER: ['Банк отказал в кредите', 'Credit refused by the bank'],
  CUSTOMER_REJECT_CREDIT_OFFER: ['Покупатель отказался от кредита', 'Buyer declined the credit'],
  CREDIT_OFFER_FAILED: ['Кредит не оформлен', 'Credit failed'],
  AWAIT_DELIVERY_DATES_CONFIRMATION: ['Ждёт подтверждения сроков', 'Awaiting delivery dates'],
  AWAIT_DELIVERY_DATES: ['Ждёт сроков доставки', 'Awaiting delivery dates'],
  AWAIT_AUTO_DELIVERY_DATES: ['Ждёт сроков доставки', 'Awaiting delivery dates'],
  AWAIT_LAVKA_RESERVATION: ['Ждёт резерва в Лавке', 'Awaiting a Lavka reservation'],
  AWAIT_USER_PERSONAL_DATA: ['Ждёт данных покупателя', "Awaiting the buyer's details"],
  AWAIT_CASHIER: ['Ждёт кассира', 'Awaiting the cashier'],
  AWAIT_SERVICEABLE_CONFIRMATION: ['Ждёт подтверждения', 'Awaiting confirmation'],
  AWAIT_CUSTOM_PRICE_CONFIRMATION: ['Ждёт подтверждения цены', 'Awaiting price confirmation'],
  AWAIT_USER_STEAM_FAST_URL: ['Ждёт данных покупателя', "Awaiting the buyer's details"],
  WAITING_POSTPAID_BUDGET_RESERVATION: ['Ждёт резерва оплаты', 'Awaiting a payment reservation'],
  POSTPAID_BUDGET_RESERVATION_FAILED: ['Резерв оплаты не удался', 'Payment reservation failed'],
  DEFERRED_PAYMENT: ['Отложенная оплата', 'Deferred payment'],
  AS_PART_OF_MULTI_ORDER: ['Часть мультизаказа', 'Part of a multi-order'],
  SERVICE_FAULT: ['Сбой сервиса', 'Service fault'],
  FIRST_MILE_DELIVERY_SERVICE_RECEIVED: ['Принят службой доставки', 'Received by the carrier'],
  DELIVERY_SERVICE_RECEIVED: ['Принят службой доставки', 'Received by the carrier'],
  DELIVERY_TO_STORE_STARTED: ['Едет в пункт выдачи', 'On the way to the pickup point'],
  READY_FOR_LAST_MILE: ['Готов к доставке курьером', 'Ready for the last mile'],
  LAST_MILE_STARTED: ['У курьера', 'With the courier'],
  LAST_MILE_COURIER_SEARCH: ['Ищем курьера', 'Finding a courier'],
  DELIVERY_CUSTOMS_ARRIVED: ['На таможне', 'At customs'],
  DELIVERY_CUSTOMS_CLEARED: ['Прошёл таможню', 'Cleared customs'],
  COURIER_SEARCH: ['Ищем курьера', 'Finding a courier'],
  COURIER_SEARCH_NOT_STARTED: ['Поиск курьера не начат', 'Courier search not started'],
  COURIER_FOUND: ['Курьер найден', 'Courier found'],
  COURIER_IN_TRANSIT_TO_SENDER: ['Курьер едет за заказом', 'Courier on the way to the seller'],
  COURIER_ARRIVED_TO_SENDER: ['Курьер прибыл за заказом', 'Courier arrived at the seller'],
  COURIER_RECEIVED: ['Курьер забрал заказ', 'Courier picked it up'],
  COURIER_NOT_FOUND: ['Курьер не найден', 'No courier found'],
  COURIER_NOT_DELIVER_ORDER: ['Курьер не доставил', 'Courier did not deliver'],
  COURIER_RETURNS_ORDER: ['Курьер везёт обратно', 'Courier bringing it back'],
  COURIER_RETURNED_ORDER: ['Курьер вернул заказ', 'Courier brought it back'],
  COURIER_NOT_COME_FOR_ORDER: ['Курьер не приехал', 'Courier did not come'],
  PICKUP_SERVICE_RECEIVED: ['Привезён в пункт выдачи', 'Arrived at the pickup point'],
  PICKUP_USER_RECEIVED: ['Покупатель забрал', 'Picked up by the buyer'],
  READY_FOR_PICKUP: ['Готов к выдаче', 'Ready for pickup'],
  DELIVERY_SERVICE_DELIVERED: ['Доставлен', 'Delivered'],
  DELIVERED_USER_RECEIVED: ['Покупатель получил', 'Received by the buyer'],
  DELIVERED_USER_NOT_RECEIVED: ['Доставлен, покупатель не получил', 'Delivered, not received'],
  DELIVERY_USER_NOT_RECEIVED: ['Покупатель не получил', 'Not received by the buyer'],
  USER_RECEIVED: ['Покупатель получил', 'Received by the buyer'],
  USER_RECEIVED_TECHNICAL_ERROR: ['Получен, техническая ошибка', 'Received, technical error'],
  DELIVERY_SERVICE_NOT_RECEIVED: ['Служба доставки не получила', 'Carrier did not receive it'],
  DELIVERY_SERVICE_LOST: ['Потерян службой доставки', 'Lost by the carrier'],
  DELIVERY_SERVICE_FAILED: ['Служба доставки не справилась', 'Carrier failed'],
  DELIVERY_SERVICE_UNDELIVERED: ['Не доставлен', 'Not delivered'],
  DELIVERY_PROBLEMS: ['Проблемы с доставкой', 'Delivery problems'],
  DELIVERY_NOT_MANAGED_REGION: ['Регион не обслуживается', 'Region not served'],
  SHIPPED_TO_WRONG_DELIVERY_SERVICE: ['Отгружен не той службе', 'Shipped to the wrong carrier'],
  WAREHOUSE_FAILED_TO_SHIP: ['Склад не отгрузил', 'Warehouse failed to ship'],
  SORTING_CENTER_LOST: ['Потерян в сортировочном центре', 'Lost at the sorting centre'],
  DROPOFF_LOST: ['Потерян в пункте приёма', 'Lost at the drop-off'],
  DROPOFF_CLOSED: ['Пункт приёма закрыт', 'Drop-off closed'],
  PICKUP_POINT_CLOSED: ['Пункт выдачи закрыт', 'Pickup point closed'],
  LOST: ['Потерян', 'Lost'],
  RESERVATION_EXPIRED: ['Покупатель не завершил оформление', 'Buyer did not finish the order'],
  RESERVATION_FAILED: ['Резерв не удался', 'Reservation failed'],
  USER_NOT_PAID: ['Покупатель не оплатил', 'Buyer did not pay'],
  USER_UNREACHABLE: ['Покупатель не отвечает', 'Buyer unreachable'],
  USER_CHANGED_MIND: ['Покупатель передумал', 'Buyer changed their mind'],
  USER_REFUSED_DELIVERY: ['Покупателя не устроила доставка', 'Buyer refused the delivery terms'],
  USER_REFUSED_PRODUCT: ['Покупателю не подошёл товар', 'Buyer refused the product'],
  USER_REFUSED_QUALITY: ['Покупателя не устроило качество', 'Buyer refused the quality'],
  USER_PLACED_OTHER_ORDER: ['Покупатель оформил другой заказ', 'Buyer placed another order'],
  USER_BOUGHT_CHEAPER: ['Покупатель нашёл дешевле', 'Buyer found it cheaper'],
  USER_FRAUD: ['Подозрение на мошенничество', 'Suspected fraud'],
  USER_WANTED_ANOTHER_PAYMENT_METHOD: ['Покупатель хотел другую оплату', 'Buyer wanted another payment'],
  USER_FORGOT_TO_USE_BONUS: ['Покупатель забыл про бонусы', 'Buyer forgot a bonus'],
  USER_WANTS_TO_CHANGE_ADDRESS: ['Покупатель меняет адрес', 'Buyer changing the address'],
  USER_WANTS_TO_CHANGE_DELIVERY_DATE: ['Покупатель меняет дату', 'Buyer changing the date'],
  USER_HAS_NO_TIME_TO_PICKUP_ORDER: ['Покупатель не успевает забрать', 'Buyer has no time to pick up'],
  USER_IDENTIFICATION_MISMATCH: ['Документ не совпал', 'Identity mismatch'],
  SHOP_FAILED: ['Магазин не может выполнить', 'Shop cannot fulfil'],
  SHOP_PENDING_CANCELLED: ['Отменён магазином', 'Cancelled by the shop'],
  PENDING_CANCELLED: ['Отменён до обработки', 'Cancelled while pending'],
  PENDING_EXPIRED: ['Не обработан вовремя', 'Not processed in time'],
  PROCESSING_EXPIRED: ['Не обработан вовремя', 'Not processed in time'],
  REPLACING_ORDER: ['Покупатель заменил товар', 'Buyer replaced the item'],
  MISSING_ITEM: ['Товара нет', 'Item missing'],
  BROKEN_ITEM: ['Товар повреждён', 'Item broken'],
  WRONG_ITEM: ['Не тот товар', 'Wrong item'],
  WRONG_ITEM_DELIVERED: ['Доставлен не тот товар', 'Wrong item delivered'],
  DAMAGED_BOX: ['Повреждена упаковка', 'Damaged box'],
  PICKUP_EXPIRED: ['Истёк срок хранения', 'Pickup period expired'],
  LATE_CONTACT: ['Поздно связались', 'Contacted too late'],
  CUSTOM: ['Другая причина', 'Other reason'],
  CANCELLED_COURIER_NOT_FOUND: ['Отменён: курьер не найден', 'Cancelled: no courier'],
  INCOMPLETE_CONTACT_INFORMATION: ['Неполные контакты', 'Incomplete contact details'],
  INCOMPLETE_MULTI_ORDER: ['Неполный мультизаказ', 'Incomplete multi-order'],
  INAPPROPRIATE_WEIGHT_SIZE: ['Неподходящие вес или размер', 'Unsuitable weight or size'],
  TECHNICAL_ERROR: ['Техническая ошибка Маркета', "Market's technical error"],
  FULL_NOT_RANSOM: ['Покупатель не выкупил', 'Not redeemed'],
  PRESCRIPTION_MISMATCH: ['Рецепт не совпал', 'Prescription mismatch'],
  LEGAL_INFO_CHANGED: ['Изменились реквизиты', 'Legal details changed'],
  NO_PERSONAL_DATA_EXPIRED: ['Не получены данные покупателя', "Buyer's details not given"],
  CUSTOMS_PROBLEMS: ['Проблемы на таможне', 'Customs problems'],
  CUSTOMS_FAILED_MARKET: ['Не прошёл таможню', 'Failed customs'],
  CUSTOMS_FAILED_USER_COMMERCIAL_ITEMS: ['Таможня: коммерческая партия', 'Customs: commercial goods'],
  CUSTOMS_FAILED_USER_DUTY_NOT_PAID: ['Таможня: пошлина не оплачена', 'Customs: duty unpaid'],
  CUSTOMS_FAILED_USER_INVALID_PERSONAL_DATA: ['Таможня: неверные данные', 'Customs: invalid details'],
  CUSTOMS_FAILED_USER_ADDITIONAL_DATA_NOT_PROVIDED: ['Таможня: нет данных', 'Customs: details missing'],
  INCORRECT_PERSONAL_DATA: ['Неверные данные получателя', "Wrong recipient's details"],
  TOO_MANY_DELIVERY_DATE_CHANGES: ['Слишком много переносов', 'Rescheduled too often'],
  TOO_LONG_DELIVERY: ['Слишком долгая доставка', 'Delivery too long'],
  POSTPAID_FAILED: ['Оплата при получении не удалась', 'Payment on delivery failed'],
  PURCHASE_GROUP_THRESHOLD_NOT_REACHED_CANCELLED: [
    'Групповая покупка не состоялась',
    'Group purchase failed',
  ],
  UNKNOWN: ['Неизвестно', 'Unknown'],
};

const REFUND_STATUS: Phrases = {
  STARTED_BY_USER: ['Покупатель оформил возврат', 'Started by the buyer'],
  REFUND_IN_PROGRESS: ['На рассмотрении', 'Under review'],
  REFUNDED: ['Деньги возвращены', 'Refunded'],
  FAILED: ['Вернуть деньги не удалось', 'Refund failed'],
  WAITING_FOR_DECISION: ['Ждёт решения', 'Awaiting a decision'],
  DECISION_MADE: ['Решение принято', 'Decision made'],
  REFUNDED_WITH_BONUSES: ['Возвращено баллами или промокодом', 'Refunded in points or a promo code'],
  REFUNDED_BY_SHOP: ['Магазин вернул деньги сам', 'Refunded by the shop'],
  CANCELLED: ['Возврат отменён', 'Return cancelled'],
  REJECTED: ['Возврат отклонён', 'Return rejected'],
  COMPLETE_WITHOUT_REFUND: ['Без возврата денег', 'Closed without a refund'],
  PREMODERATION_DISPUTE: ['Открыт спор', 'Dispute open'],
  PREMODERATION_DECISION_WAITING: ['Ждёт решения', 'Awaiting a decision'],
  PREMODERATION_DECISION_MADE: ['Решение принято', 'Decision made'],
  PREMODERATION_SELECT_DELIVERY: ['Покупатель выбирает доставку', 'Buyer choosing delivery'],
  UNKNOWN: ['Неизвестно', 'Unknown'],
};

const SHIPMENT_STATUS: Phrases = {
  CREATED: ['Оформлен', 'Created'],
  RECEIVED: ['Принят у покупателя', 'Received from the buyer'],
  IN_TRANSIT: ['В пути', 'In transit'],
  READY_FOR_PICKUP: ['Готов к выдаче магазину', 'Ready for the shop to pick up'],
  PICKED: ['Выдан магазину', 'Picked up by the shop'],
  LOST: ['Утерян', 'Lost'],
  EXPIRED: ['Покупатель не принёс товар', 'Buyer did not bring it'],
  CANCELLED: ['Отменён', 'Cancelled'],
  FULFILMENT_RECEIVED: ['На складе Маркета', "At Market's warehouse"],
  PREPARED_FOR_UTILIZATION: ['Ждёт утилизации', 'Queued for disposal'],
  NOT_IN_DEMAND: ['Не забран с почты', 'Not collected from the post'],
  UTILIZED: ['Утилизирован', 'Disposed of'],
  READY_FOR_EXPROPRIATION: ['Направлен на перепродажу', 'Sent for resale'],
  RECEIVED_FOR_EXPROPRIATION: ['Принят на перепродажу', 'Taken for resale'],
  UNKNOWN: ['Неизвестно', 'Unknown'],
};

const DECISION: Phrases = {
  FAST_REFUND_MONEY: ['Деньги без возврата товара', 'Refund, keep the item'],
  REFUND_MONEY: ['Вернуть деньги', 'Refund'],
  REFUND_MONEY_INCLUDING_SHIPMENT: ['Деньги и обратная пересылка', 'Refund with return shipping'],
  REPAIR: ['Ремонт', 'Repair'],
  REPLACE: ['Замена', 'Replace'],
  SEND_TO_EXAMINATION: ['Экспертиза', 'Examination'],
  DECLINE_REFUND: ['Отказ в возврате', 'Refund declined'],
  PARTIAL_MONEY_REFUND: ['Частичный возврат денег', 'Partial refund'],
  OTHER_DECISION: ['Другое решение', 'Other decision'],
  UNKNOWN: ['Не указано', 'Not given'],
};

const REASON: Phrases = {
  BAD_QUALITY: ['Брак', 'Faulty'],
  DOES_NOT_FIT: ['Не подошёл', 'Does not fit'],
  WRONG_ITEM: ['Не тот товар', 'Wrong item'],
  DAMAGE_DELIVERY: ['Повреждён при доставке', 'Damaged in delivery'],
  LOYALTY_FAIL: ['Проблема с баллами', 'Loyalty problem'],
  CONTENT_FAIL: ['Не соответствует описанию', 'Not as described'],
  DELIVERY_FAIL: ['Проблема с доставкой', 'Delivery problem'],
  UNKNOWN: ['Не указана', 'Not given'],
};

const DELIVERY_TYPE: Phrases = {
  DELIVERY: ['Курьером', 'Courier'],
  PICKUP: ['В пункт выдачи', 'Pickup point'],
  POST: ['Почтой', 'Post'],
  DIGITAL: ['Цифровой товар', 'Digital'],
  UNKNOWN: ['Неизвестно', 'Unknown'],
};

export type OrderEnum = 'status' | 'substatus' | 'refund' | 'shipment' | 'decision' | 'reason' | 'delivery';

const ENUMS: Record<OrderEnum, Phrases> = {
  status: ORDER_STATUS,
  substatus: ORDER_SUBSTATUS,
  refund: REFUND_STATUS,
  shipment: SHIPMENT_STATUS,
  decision: DECISION,
  reason: REASON,
  delivery: DELIVERY_TYPE,
};

/** The value in words of the page's language, or as the API wrote it when the page has none. */
export function phrase(t: T, kind: OrderEnum, value: string): string {
  const found = Object.hasOwn(ENUMS[kind], value) ? ENUMS[kind][value] : undefined;
  if (!found) return value;
  return t('locale') === 'en' ? found[1] : found[0];
}
