import type { WeekStart } from '../buckets/index.js';

/** A seasonal peak: `amp` extra demand (relative to baseline 1) around day-of-year `peak`. */
export interface SeasonalPeak {
  /** Day of year of the peak, 0 = January 1st (northern-hemisphere calendar). */
  readonly peak: number;
  /** Standard deviation of the peak in days. */
  readonly width: number;
  /** Height of the peak above the baseline of 1. */
  readonly amp: number;
}

/** A leaf category template. */
export interface ChildTemplate {
  readonly key: string;
  readonly name: string;
  /** Noun used in product names. */
  readonly noun: string;
  /** Price range in US dollars. */
  readonly priceUsd: readonly [number, number];
}

/** A top-level category template with its demand shape. */
export interface CategoryTemplate {
  readonly key: string;
  readonly name: string;
  readonly peaks: readonly SeasonalPeak[];
  /** True when the season follows the weather, so it flips by half a year in the southern hemisphere. */
  readonly weather: boolean;
  /** Relative demand by day of week, Sunday first. */
  readonly weekly: readonly [number, number, number, number, number, number, number];
  readonly children: readonly ChildTemplate[];
}

/** A merchant template: where it sells and in which currency. */
export interface MerchantTemplate {
  readonly key: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
  /** Units of `currency` per US dollar, to turn template prices into local prices. */
  readonly fx: number;
  readonly southern: boolean;
}

// Day-of-year helpers for readability: month is 1..12.
const doy = (month: number, day: number): number =>
  (Date.UTC(2025, month - 1, day) - Date.UTC(2025, 0, 1)) / 86_400_000;

/**
 * The merchants the simulator plays, in order. The first three already cover a zero-decimal
 * currency (JPY), a half-hour offset (Asia/Kolkata), the southern hemisphere and all three common
 * week starts; later ones add a 3-decimal currency (KWD), a 45-minute offset and more DST rules.
 */
export const MERCHANT_TEMPLATES: readonly MerchantTemplate[] = [
  {
    key: 'tokyo',
    name: 'Sakura Goods',
    timezone: 'Asia/Tokyo',
    weekStart: 'SUNDAY',
    currency: 'JPY',
    fx: 150,
    southern: false,
  },
  {
    key: 'mumbai',
    name: 'Chai & Co',
    timezone: 'Asia/Kolkata',
    weekStart: 'MONDAY',
    currency: 'INR',
    fx: 83,
    southern: false,
  },
  {
    key: 'sydney',
    name: 'Harbour Outfitters',
    timezone: 'Australia/Sydney',
    weekStart: 'SATURDAY',
    currency: 'AUD',
    fx: 1.5,
    southern: true,
  },
  {
    key: 'berlin',
    name: 'Spree Handel',
    timezone: 'Europe/Berlin',
    weekStart: 'MONDAY',
    currency: 'EUR',
    fx: 0.92,
    southern: false,
  },
  {
    key: 'newyork',
    name: 'Hudson Supply',
    timezone: 'America/New_York',
    weekStart: 'SUNDAY',
    currency: 'USD',
    fx: 1,
    southern: false,
  },
  {
    key: 'kuwait',
    name: 'Gulf Bazaar',
    timezone: 'Asia/Kuwait',
    weekStart: 'SATURDAY',
    currency: 'KWD',
    fx: 0.31,
    southern: false,
  },
  {
    key: 'saopaulo',
    name: 'Ipanema Loja',
    timezone: 'America/Sao_Paulo',
    weekStart: 'SUNDAY',
    currency: 'BRL',
    fx: 5,
    southern: true,
  },
  {
    key: 'kathmandu',
    name: 'Himalaya Traders',
    timezone: 'Asia/Kathmandu',
    weekStart: 'SUNDAY',
    currency: 'NPR',
    fx: 133,
    southern: false,
  },
  {
    key: 'adelaide',
    name: 'Barossa Market',
    timezone: 'Australia/Adelaide',
    weekStart: 'MONDAY',
    currency: 'AUD',
    fx: 1.5,
    southern: true,
  },
  {
    key: 'london',
    name: 'Thames Trading',
    timezone: 'Europe/London',
    weekStart: 'MONDAY',
    currency: 'GBP',
    fx: 0.79,
    southern: false,
  },
];

/** The category families merchants choose from, each with its own yearly and weekly shape. */
export const CATEGORY_TEMPLATES: readonly CategoryTemplate[] = [
  {
    key: 'toys',
    name: 'Toys',
    peaks: [
      { peak: doy(12, 14), width: 12, amp: 3.5 },
      { peak: doy(4, 5), width: 6, amp: 0.4 },
    ],
    weather: false,
    weekly: [1.25, 0.85, 0.85, 0.9, 0.95, 1.05, 1.35],
    children: [
      { key: 'board-games', name: 'Board Games', noun: 'Board Game', priceUsd: [15, 70] },
      { key: 'action-figures', name: 'Action Figures', noun: 'Figure', priceUsd: [8, 40] },
      { key: 'puzzles', name: 'Puzzles', noun: 'Puzzle', priceUsd: [10, 35] },
      { key: 'building-sets', name: 'Building Sets', noun: 'Building Set', priceUsd: [20, 150] },
      { key: 'model-trains', name: 'Model Trains', noun: 'Locomotive', priceUsd: [80, 400] },
    ],
  },
  {
    key: 'garden',
    name: 'Garden',
    peaks: [
      { peak: doy(4, 25), width: 30, amp: 2.2 },
      { peak: doy(6, 20), width: 25, amp: 0.6 },
    ],
    weather: true,
    weekly: [1.3, 0.8, 0.8, 0.85, 0.9, 1.05, 1.5],
    children: [
      { key: 'plants-seeds', name: 'Plants & Seeds', noun: 'Seed Pack', priceUsd: [3, 25] },
      { key: 'tools', name: 'Garden Tools', noun: 'Trowel', priceUsd: [12, 90] },
      { key: 'outdoor-furniture', name: 'Outdoor Furniture', noun: 'Lounger', priceUsd: [80, 600] },
      { key: 'watering', name: 'Watering', noun: 'Hose', priceUsd: [10, 60] },
      { key: 'greenhouses', name: 'Greenhouses', noun: 'Greenhouse', priceUsd: [300, 1500] },
    ],
  },
  {
    key: 'electronics',
    name: 'Electronics',
    peaks: [
      { peak: doy(11, 28), width: 5, amp: 2.5 },
      { peak: doy(12, 17), width: 9, amp: 1.6 },
      { peak: doy(8, 25), width: 12, amp: 0.4 },
    ],
    weather: false,
    weekly: [1.05, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05],
    children: [
      { key: 'phones', name: 'Phones', noun: 'Phone', priceUsd: [150, 1100] },
      { key: 'audio', name: 'Audio', noun: 'Headphones', priceUsd: [25, 350] },
      { key: 'computers', name: 'Computers', noun: 'Laptop', priceUsd: [400, 2200] },
      { key: 'accessories', name: 'Accessories', noun: 'Cable', priceUsd: [5, 40] },
      { key: 'vintage-cameras', name: 'Vintage Cameras', noun: 'Camera', priceUsd: [120, 900] },
    ],
  },
  {
    key: 'apparel',
    name: 'Apparel',
    peaks: [
      { peak: doy(3, 20), width: 20, amp: 0.7 },
      { peak: doy(10, 5), width: 20, amp: 0.8 },
      { peak: doy(12, 10), width: 10, amp: 0.6 },
    ],
    weather: true,
    weekly: [1.15, 0.9, 0.9, 0.9, 0.95, 1.05, 1.25],
    children: [
      { key: 'women', name: 'Women', noun: 'Dress', priceUsd: [20, 180] },
      { key: 'men', name: 'Men', noun: 'Shirt', priceUsd: [18, 150] },
      { key: 'kids', name: 'Kids', noun: 'Jacket', priceUsd: [10, 70] },
      { key: 'shoes', name: 'Shoes', noun: 'Sneaker', priceUsd: [40, 220] },
      { key: 'tailoring', name: 'Tailoring', noun: 'Suit', priceUsd: [300, 1200] },
    ],
  },
  {
    key: 'sports',
    name: 'Sports',
    peaks: [
      { peak: doy(6, 25), width: 40, amp: 0.9 },
      { peak: doy(1, 6), width: 8, amp: 0.8 },
    ],
    weather: true,
    weekly: [1.2, 1.0, 0.9, 0.9, 0.9, 0.95, 1.15],
    children: [
      { key: 'running', name: 'Running', noun: 'Running Shoe', priceUsd: [60, 200] },
      { key: 'cycling', name: 'Cycling', noun: 'Helmet', priceUsd: [30, 1500] },
      { key: 'camping', name: 'Camping', noun: 'Tent', priceUsd: [40, 500] },
      { key: 'fitness', name: 'Fitness', noun: 'Kettlebell', priceUsd: [15, 120] },
      { key: 'fencing', name: 'Fencing', noun: 'Foil', priceUsd: [90, 400] },
    ],
  },
  {
    key: 'home',
    name: 'Home',
    peaks: [
      { peak: doy(11, 25), width: 20, amp: 0.4 },
      { peak: doy(1, 15), width: 12, amp: 0.3 },
    ],
    weather: false,
    weekly: [1.3, 0.95, 0.9, 0.9, 0.9, 0.9, 1.15],
    children: [
      { key: 'kitchen', name: 'Kitchen', noun: 'Pan', priceUsd: [12, 250] },
      { key: 'bedding', name: 'Bedding', noun: 'Duvet', priceUsd: [30, 300] },
      { key: 'decor', name: 'Decor', noun: 'Vase', priceUsd: [10, 120] },
      { key: 'lighting', name: 'Lighting', noun: 'Lamp', priceUsd: [25, 220] },
      { key: 'antiques', name: 'Antiques', noun: 'Clock', priceUsd: [150, 2000] },
    ],
  },
  {
    key: 'books',
    name: 'Books',
    peaks: [
      { peak: doy(8, 25), width: 12, amp: 0.5 },
      { peak: doy(12, 15), width: 12, amp: 0.9 },
    ],
    weather: false,
    weekly: [1.1, 0.95, 0.95, 0.95, 0.95, 1.0, 1.1],
    children: [
      { key: 'fiction', name: 'Fiction', noun: 'Novel', priceUsd: [8, 30] },
      { key: 'non-fiction', name: 'Non-fiction', noun: 'Biography', priceUsd: [12, 45] },
      { key: 'childrens', name: "Children's Books", noun: 'Picture Book', priceUsd: [6, 25] },
      { key: 'comics', name: 'Comics', noun: 'Graphic Novel', priceUsd: [5, 35] },
      { key: 'rare-books', name: 'Rare Books', noun: 'First Edition', priceUsd: [200, 3000] },
    ],
  },
  {
    key: 'beauty',
    name: 'Beauty',
    peaks: [
      { peak: doy(2, 10), width: 4, amp: 1.0 },
      { peak: doy(5, 8), width: 5, amp: 0.7 },
      { peak: doy(12, 15), width: 12, amp: 0.8 },
    ],
    weather: false,
    weekly: [1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05],
    children: [
      { key: 'skincare', name: 'Skincare', noun: 'Serum', priceUsd: [12, 90] },
      { key: 'fragrance', name: 'Fragrance', noun: 'Eau de Parfum', priceUsd: [40, 200] },
      { key: 'makeup', name: 'Makeup', noun: 'Palette', priceUsd: [8, 70] },
      { key: 'haircare', name: 'Haircare', noun: 'Shampoo', priceUsd: [6, 45] },
      { key: 'apothecary', name: 'Apothecary', noun: 'Tincture', priceUsd: [15, 80] },
    ],
  },
];

/** Adjectives for product names. */
export const PRODUCT_ADJECTIVES: readonly string[] = [
  'Classic',
  'Deluxe',
  'Compact',
  'Everyday',
  'Premium',
  'Eco',
  'Pro',
  'Mini',
  'Heritage',
  'Urban',
  'Nordic',
  'Bright',
];

/** Relative order volume by local hour of day, 0h first. */
export const HOURLY_WEIGHTS: readonly number[] = [
  0.25, 0.12, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.8, 1.0, 1.1, 1.2, 1.35, 1.25, 1.1, 1.05, 1.05, 1.1, 1.25,
  1.45, 1.55, 1.35, 0.95, 0.55,
];
