/**
 * Demo catalog: six categories and sixty products with realistic names, prices (cents) and
 * stock. Idempotent: categories upsert by slug and products by SKU, so a re-run refreshes the
 * data instead of duplicating it. Long because it is a data table.
 */
import type { Db } from '../../subgraphs/products/src/data/db.js';

type Item = [sku: string, name: string, description: string, priceCents: number, stock: number];

const catalog: Record<string, { name: string; items: Item[] }> = {
  electronics: {
    name: 'Electronics',
    items: [
      [
        'EL-HEADPH-01',
        'Aria Wireless Headphones',
        'Over-ear, active noise cancelling, 30-hour battery.',
        19900,
        42,
      ],
      [
        'EL-EARBUD-02',
        'Pulse True Wireless Earbuds',
        'IPX4 sweat resistance and a pocket charging case.',
        8900,
        120,
      ],
      [
        'EL-SPEAKR-03',
        'Boom Mini Bluetooth Speaker',
        'Palm-sized speaker with surprisingly deep bass.',
        4900,
        75,
      ],
      [
        'EL-KEYBRD-04',
        'Forge Mechanical Keyboard',
        'Hot-swappable switches, aluminium frame, USB-C.',
        12900,
        30,
      ],
      [
        'EL-MOUSE-05',
        'Glide Ergonomic Mouse',
        'Vertical grip that spares your wrist, 4000 DPI.',
        5900,
        64,
      ],
      [
        'EL-MONITR-06',
        'Vista 27" 4K Monitor',
        'IPS panel, 99% sRGB, height-adjustable stand.',
        34900,
        12,
      ],
      [
        'EL-WEBCAM-07',
        'Clarity 1080p Webcam',
        'Auto light correction and a privacy shutter.',
        6900,
        0,
      ],
      ['EL-CHARGR-08', 'Volt 65W GaN Charger', 'Charges a laptop and a phone at once.', 3900, 150],
      [
        'EL-SSD-09',
        'Swift 1TB Portable SSD',
        '1050 MB/s over USB-C in a drop-proof shell.',
        10900,
        38,
      ],
      [
        'EL-ROUTER-10',
        'Mesh Wi-Fi 6 Router (2-pack)',
        'Whole-home coverage without dead zones.',
        22900,
        9,
      ],
    ],
  },
  'home-kitchen': {
    name: 'Home & Kitchen',
    items: [
      [
        'HK-KETTLE-01',
        'Brew Gooseneck Kettle',
        'Variable temperature for pour-over coffee and tea.',
        7900,
        33,
      ],
      [
        'HK-KNIFE-02',
        'Santoku Chef Knife 18cm',
        'Forged stainless steel with a walnut handle.',
        6400,
        27,
      ],
      [
        'HK-PAN-03',
        'Cast Iron Skillet 26cm',
        'Pre-seasoned, oven-safe, lasts a lifetime.',
        4500,
        51,
      ],
      [
        'HK-BLENDR-04',
        'Vortex Countertop Blender',
        '1200W motor crushes ice and frozen fruit.',
        11900,
        18,
      ],
      ['HK-TOWEL-05', 'Organic Cotton Towel Set', 'Two bath towels and two hand towels.', 3900, 80],
      [
        'HK-MUGS-06',
        'Stoneware Mug Set of 4',
        'Hand-glazed, dishwasher and microwave safe.',
        3200,
        64,
      ],
      ['HK-LAMP-07', 'Arc Floor Lamp', 'Dimmable warm LED on a marble base.', 15900, 7],
      ['HK-VACUUM-08', 'Nimbus Cordless Vacuum', '45-minute runtime, HEPA filtration.', 24900, 14],
      [
        'HK-PILLOW-09',
        'Cloud Memory Foam Pillow',
        'Adjustable fill for side and back sleepers.',
        5900,
        0,
      ],
      [
        'HK-DIFFUS-10',
        'Aroma Ultrasonic Diffuser',
        'Whisper-quiet mist with a sleep timer.',
        2900,
        95,
      ],
    ],
  },
  books: {
    name: 'Books',
    items: [
      [
        'BK-DESIGN-01',
        'Designing Data-Intensive Applications',
        'The big ideas behind reliable, scalable systems.',
        4599,
        40,
      ],
      [
        'BK-PRAGMA-02',
        'The Pragmatic Programmer',
        'Your journey to mastery, 20th anniversary edition.',
        3999,
        55,
      ],
      [
        'BK-CLEAN-03',
        'Refactoring, 2nd Edition',
        'Improving the design of existing code.',
        4799,
        22,
      ],
      [
        'BK-SAPIEN-04',
        'A Brief History of Everything',
        'A sweeping, readable tour of human history.',
        1899,
        70,
      ],
      ['BK-COOK-05', 'Salt, Fat, Acid, Heat', 'Mastering the elements of good cooking.', 3000, 31],
      [
        'BK-NOVEL-06',
        'The Lighthouse Keeper',
        'A quiet novel about distance and return.',
        1499,
        88,
      ],
      ['BK-KIDS-07', 'Stars for Small Explorers', 'A picture book about the night sky.', 1299, 46],
      [
        'BK-TRAVEL-08',
        'Trails of the Alps',
        'Forty hikes with maps and elevation profiles.',
        2499,
        19,
      ],
      ['BK-POETRY-09', 'Collected Shorelines', 'Poems of the sea, old and new.', 1699, 12],
      ['BK-HABIT-10', 'Small Steps, Big Changes', 'How tiny habits add up over a year.', 2199, 64],
    ],
  },
  outdoors: {
    name: 'Outdoors',
    items: [
      ['OD-TENT-01', 'Summit 2-Person Tent', 'Freestanding, 1.6 kg, three-season.', 27900, 11],
      [
        'OD-BAG-02',
        'Ember Down Sleeping Bag',
        'Comfort rating -5°C, packs to a loaf of bread.',
        21900,
        16,
      ],
      ['OD-PACK-03', 'Ridge 40L Backpack', 'Ventilated back panel and a rain cover.', 12900, 29],
      ['OD-BOTTLE-04', 'Insulated Steel Bottle 750ml', 'Cold for 24 hours, hot for 12.', 2900, 140],
      ['OD-STOVE-05', 'Flicker Camping Stove', 'Boils a litre in three minutes.', 4900, 23],
      ['OD-LAMP-06', 'Beam Rechargeable Headlamp', '400 lumens with a red night mode.', 3500, 58],
      ['OD-POLES-07', 'Carbon Trekking Poles', 'Foldable, 240 g each, cork grips.', 8900, 20],
      ['OD-HAMMCK-08', 'Drift Travel Hammock', 'Parachute nylon with tree straps.', 3900, 0],
      ['OD-KNIFE-09', 'Pocket Multi-Tool', '14 tools, locking blade, belt pouch.', 5400, 37],
      ['OD-CHAIR-10', 'Perch Folding Camp Chair', 'Sets up in seconds, holds 120 kg.', 6900, 25],
    ],
  },
  clothing: {
    name: 'Clothing',
    items: [
      ['CL-TEE-01', 'Everyday Organic Tee', 'Heavyweight cotton that keeps its shape.', 2500, 200],
      ['CL-HOODIE-02', 'Loop Fleece Hoodie', 'Brushed inside, recycled polyester blend.', 6500, 48],
      ['CL-JEANS-03', 'Straight Selvedge Jeans', '14 oz Japanese denim, raw indigo.', 11900, 26],
      [
        'CL-JACKET-04',
        'Storm Shell Jacket',
        'Waterproof, breathable, fully taped seams.',
        18900,
        15,
      ],
      [
        'CL-SOCKS-05',
        'Merino Hiking Socks (3-pack)',
        'Cushioned, odour resistant, blister free.',
        2400,
        110,
      ],
      ['CL-BEANIE-06', 'Ribbed Wool Beanie', 'Soft lambswool in six colours.', 2200, 72],
      ['CL-SHIRT-07', 'Oxford Button-Down Shirt', 'Washed cotton for a lived-in feel.', 5900, 34],
      [
        'CL-SNEAK-08',
        'Court Leather Sneakers',
        'Minimal, resoleable, made in Portugal.',
        12900,
        21,
      ],
      ['CL-SCARF-09', 'Cashmere Blend Scarf', 'Light, warm and generously long.', 7900, 18],
      ['CL-RAIN-10', 'Packable Rain Poncho', 'Folds into its own pocket.', 2900, 0],
    ],
  },
  toys: {
    name: 'Toys & Games',
    items: [
      [
        'TG-BLOCKS-01',
        'Wooden Building Blocks (100)',
        'Beech wood, non-toxic water-based paint.',
        4900,
        45,
      ],
      [
        'TG-PUZZLE-02',
        'World Map Puzzle 1000 pcs',
        'Illustrated landmarks on thick card.',
        2400,
        60,
      ],
      ['TG-CHESS-03', 'Walnut Chess Set', 'Weighted pieces and a folding board.', 8900, 13],
      [
        'TG-DRONE-04',
        'Hopper Mini Drone',
        'Beginner friendly, altitude hold, spare props.',
        5900,
        24,
      ],
      ['TG-CARDS-05', 'Cascade Strategy Card Game', '2 to 5 players, 30-minute rounds.', 1999, 90],
      [
        'TG-ROBOT-06',
        'Code-a-Bot Starter Kit',
        'Teaches sequencing and loops from age 6.',
        7900,
        17,
      ],
      ['TG-PLUSH-07', 'Otto the Otter Plush', 'Extra soft, machine washable.', 1800, 120],
      [
        'TG-TRAIN-08',
        'Wooden Train Set (48 pcs)',
        'Bridges, tunnels and a magnetic engine.',
        6900,
        9,
      ],
      ['TG-KITE-09', 'Delta Sport Kite', 'Flies in light wind, ripstop nylon.', 2900, 33],
      ['TG-PAINT-10', 'Young Artist Paint Set', 'Washable paints, brushes and an easel.', 3400, 41],
    ],
  },
};

/** Creates or refreshes the demo catalog; returns how many of each it wrote. */
export async function seedProducts(db: Db) {
  let products = 0;
  for (const [slug, { name, items }] of Object.entries(catalog)) {
    const category = await db.category.upsert({
      where: { slug },
      create: { slug, name },
      update: { name },
    });
    for (const [sku, productName, description, priceCents, stock] of items) {
      const fields = { name: productName, description, priceCents, categoryId: category.id };
      await db.product.upsert({
        where: { sku },
        create: {
          sku,
          ...fields,
          stock,
          movements: { create: { delta: stock, stockAfter: stock, reason: 'seed' } },
        },
        // Stock is left as it is: it has moved with every order since the first seed.
        update: { ...fields, archivedAt: null },
      });
      products++;
    }
  }
  return { categories: Object.keys(catalog).length, products };
}

/** What `npm start` and `npm run db:seed` run (scripts/setup.ts): the demo catalog. */
export async function seed(db: Db) {
  return { summary: `catalog: ${JSON.stringify(await seedProducts(db))}` };
}
