//! Writes a [`World`] to a directory: the files a brand would export (the
//! demo imports them through the real importers) and `ground_truth/`, which
//! only evaluations read. Output is byte-for-byte deterministic.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use model::EventKind;

use crate::catalog::SizeSpec;
use crate::{CampaignKind, World};

/// The columns of `orders.csv`, named as Loupe's order mapping targets (an importer maps each to itself).
pub const ORDER_COLUMNS: [&str; 9] = [
    "order_id",
    "ordered_at",
    "customer_id",
    "sku",
    "title",
    "quantity",
    "unit_price",
    "currency",
    "country",
];

/// The files `write_to` creates, relative to the directory.
pub const FILES: &[&str] = &[
    "catalog.csv",
    "orders.csv",
    "inventory.csv",
    "purchase_orders.csv",
    "events.jsonl",
    "tickets.jsonl",
    "kb.md",
    "consent.csv",
    "ground_truth/products.jsonl",
    "ground_truth/collections.json",
    "ground_truth/customers.jsonl",
    "ground_truth/demand.csv",
    "ground_truth/stockouts.csv",
    "ground_truth/calendar.csv",
    "ground_truth/campaigns.jsonl",
    "ground_truth/queries.jsonl",
    "ground_truth/relevant_sets.jsonl",
    "ground_truth/searches.csv",
    "ground_truth/sessions.csv",
    "ground_truth/tickets.jsonl",
    "ground_truth/summary.json",
];

/// Counts of what was written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteStats {
    pub products: usize,
    pub variants: usize,
    pub order_lines: usize,
    pub inventory_rows: usize,
    pub events: usize,
    pub tickets: usize,
    pub bytes: u64,
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

impl World {
    fn rfc3339(&self, secs: i64) -> String {
        chrono::DateTime::from_timestamp(secs, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }

    fn customer_id(&self, c: Option<u32>) -> String {
        c.map(|c| self.customers[c as usize].id.clone()).unwrap_or_default()
    }

    /// Writes every file in [`FILES`] under `dir` (created if missing).
    pub fn write_to(&self, dir: &Path) -> io::Result<WriteStats> {
        fs::create_dir_all(dir.join("ground_truth"))?;
        let mut stats = WriteStats::default();
        self.write_catalog(&dir.join("catalog.csv"), &mut stats)?;
        self.write_orders(&dir.join("orders.csv"), &mut stats)?;
        self.write_inventory(&dir.join("inventory.csv"), &mut stats)?;
        self.write_purchase_orders(&dir.join("purchase_orders.csv"))?;
        self.write_events(&dir.join("events.jsonl"), &mut stats)?;
        self.write_tickets(dir, &mut stats)?;
        self.write_consent(&dir.join("consent.csv"))?;
        self.write_truth(&dir.join("ground_truth"))?;
        self.write_summary(&dir.join("ground_truth/summary.json"), &stats)?;
        for f in FILES {
            stats.bytes += fs::metadata(dir.join(f))?.len();
        }
        Ok(stats)
    }

    fn write_catalog(&self, path: &Path, stats: &mut WriteStats) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
        w.write_record([
            "Handle",
            "Title",
            "Body (HTML)",
            "Vendor",
            "Type",
            "Tags",
            "Published",
            "Option1 Name",
            "Option1 Value",
            "Option2 Name",
            "Option2 Value",
            "Option3 Name",
            "Option3 Value",
            "Variant SKU",
            "Variant Grams",
            "Variant Inventory Qty",
            "Variant Price",
            "Variant Compare At Price",
            "Image Src",
            "Status",
        ])
        .map_err(csv_err)?;
        // Today's stock, for the export's inventory column.
        let mut on_hand = std::collections::HashMap::new();
        for r in self.inventory.iter().filter(|r| r.location == "nj-warehouse") {
            on_hand.insert(r.variant, r.on_hand);
        }
        for (pi, p) in self.products.iter().enumerate() {
            stats.products += 1;
            for (vi, v) in p.variants.iter().enumerate() {
                stats.variants += 1;
                let first = vi == 0;
                let opt_name = |i: usize| {
                    if first {
                        p.option_names.get(i).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                };
                let opt_val = |i: usize| v.options.get(i).cloned().unwrap_or_default();
                let (n1, v1) = if p.option_names.is_empty() {
                    (if first { "Title".to_string() } else { String::new() }, "Default Title".to_string())
                } else {
                    (opt_name(0), opt_val(0))
                };
                let grams = format!("{}", (v.grams).round() as i64);
                let qty = on_hand.get(&(pi as u32, vi as u16)).copied().unwrap_or(0).to_string();
                let price = if v.price_missing { String::new() } else { money(v.price) };
                let compare = v.compare_at.map(money).unwrap_or_default();
                let image =
                    if first { format!("/assets/demo/{}.svg", p.category.as_str()) } else { String::new() };
                let row: [String; 20] = [
                    p.handle.clone(),
                    if first { p.title.clone() } else { String::new() },
                    if first { p.body_html.clone() } else { String::new() },
                    if first { p.vendor.clone().unwrap_or_default() } else { String::new() },
                    if first { p.type_text.clone().unwrap_or_default() } else { String::new() },
                    if first { p.tags.join(", ") } else { String::new() },
                    if first { (p.status == "active").to_string().to_uppercase() } else { String::new() },
                    n1,
                    v1,
                    opt_name(1),
                    opt_val(1),
                    opt_name(2),
                    opt_val(2),
                    v.sku.clone(),
                    grams,
                    qty,
                    price,
                    compare,
                    image,
                    if first { p.status.to_string() } else { String::new() },
                ];
                w.write_record(&row).map_err(csv_err)?;
            }
        }
        w.flush()
    }

    fn write_orders(&self, path: &Path, stats: &mut WriteStats) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
        w.write_record(ORDER_COLUMNS).map_err(csv_err)?;
        for o in &self.orders {
            let p = &self.products[o.line.0 as usize];
            let v = &p.variants[o.line.1 as usize];
            w.write_record([
                World::order_id(o.order_no),
                self.rfc3339(o.at),
                self.customer_id(o.customer),
                v.sku.clone(),
                p.title.clone(),
                o.qty.to_string(),
                money(o.unit_price),
                "USD".into(),
                o.country.into(),
            ])
            .map_err(csv_err)?;
            stats.order_lines += 1;
        }
        w.flush()
    }

    fn write_inventory(&self, path: &Path, stats: &mut WriteStats) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
        w.write_record(["sku", "location", "on_hand", "on_order", "lead_time_days", "unit_cost", "as_of"])
            .map_err(csv_err)?;
        for r in &self.inventory {
            let v = self.variant(r.variant);
            // Snapshots are taken at the end of the day.
            let as_of = self
                .date(r.day)
                .and_hms_opt(23, 59, 59)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            w.write_record([
                v.sku.clone(),
                r.location.to_string(),
                r.on_hand.to_string(),
                r.on_order.to_string(),
                v.lead_time_days.to_string(),
                money(v.unit_cost),
                as_of,
            ])
            .map_err(csv_err)?;
            stats.inventory_rows += 1;
        }
        w.flush()
    }

    fn write_purchase_orders(&self, path: &Path) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
        w.write_record([
            "po_id",
            "sku",
            "location",
            "ordered_on",
            "quantity",
            "unit_cost",
            "expected_on",
            "received_on",
        ])
        .map_err(csv_err)?;
        for po in &self.purchase_orders {
            w.write_record([
                format!("PO{:06}", po.id + 1),
                self.variant(po.variant).sku.clone(),
                "nj-warehouse".into(),
                self.date(po.ordered_day).to_string(),
                po.qty.to_string(),
                money(po.unit_cost),
                self.date(po.expected_day).to_string(),
                opt(po.received_day.map(|d| self.date(d))),
            ])
            .map_err(csv_err)?;
        }
        w.flush()
    }

    /// One event as the JSON line `loupe import events` and `POST /v1/events` accept.
    pub fn event_json(&self, e: &crate::SimEvent) -> String {
        let mut s = String::with_capacity(160);
        s.push_str(&format!("{{\"id\":\"ev{:08}\",\"kind\":\"{}\",\"at\":{}", e.id, e.kind.as_str(), e.at));
        if let Some(x) = e.session {
            s.push_str(&format!(",\"session_id\":\"s{x:07}\""));
        }
        if let Some(c) = e.customer {
            s.push_str(&format!(",\"customer_id\":\"{}\"", self.customers[c as usize].id));
        }
        if let Some(p) = e.product {
            s.push_str(&format!(",\"product\":{}", json(&self.products[p as usize].handle)));
        }
        if let Some(v) = e.variant {
            s.push_str(&format!(",\"sku\":{}", json(&self.variant(v).sku)));
        }
        if let Some(q) = e.query {
            s.push_str(&format!(",\"query\":{}", json(&self.queries[q as usize].0)));
        }
        if let Some((start, len)) = e.results {
            s.push_str(",\"results\":[");
            for (i, p) in self.result_lists[start as usize..start as usize + len as usize].iter().enumerate()
            {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&json(&self.products[*p as usize].handle));
            }
            s.push(']');
        }
        if let Some(p) = e.position {
            s.push_str(&format!(",\"position\":{p}"));
        }
        if let Some(q) = e.quantity {
            s.push_str(&format!(",\"quantity\":{q}"));
        }
        if let Some(p) = e.price {
            s.push_str(&format!(",\"price\":{{\"minor\":{p},\"currency\":\"USD\"}}"));
        }
        if let Some(o) = e.order {
            s.push_str(&format!(",\"order_id\":\"{}\"", World::order_id(o)));
        }
        s.push('}');
        s
    }

    fn write_events(&self, path: &Path, stats: &mut WriteStats) -> io::Result<()> {
        let mut order: Vec<u32> = (0..self.events.len() as u32).collect();
        order.sort_by_key(|&i| (self.events[i as usize].at, self.events[i as usize].id));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
        for i in order {
            writeln!(w, "{}", self.event_json(&self.events[i as usize]))?;
            stats.events += 1;
        }
        w.flush()
    }

    /// Customers' consent to care messages, as an e-mail platform exports
    /// it: about 55% opt in to e-mail at their first visit (more of the
    /// active ones), 15% to SMS, and one in eight of those unsubscribes
    /// later. Drawn from a hash of the customer's id, not the simulation's
    /// generator, so that the rest of the world does not move.
    fn write_consent(&self, path: &Path) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
        w.write_record(["customer_id", "channel", "granted", "at", "source", "address", "utc_offset"])?;
        let days = self.config.days.max(1);
        let at = |day: u32| format!("{}T09:00:00Z", self.date(day.min(days - 1)));
        for c in &self.customers {
            let draw = |salt: &str| {
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for b in c.id.bytes().chain(salt.bytes()) {
                    h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                }
                (h >> 11) as f64 / (1u64 << 53) as f64
            };
            let email_share = (0.45 + 0.05 * c.activity.min(4.0)).min(0.75);
            // Standard time of the country (no daylight saving); the US by its four zones.
            let offset = match c.country {
                "US" => ["-05:00", "-05:00", "-06:00", "-07:00", "-08:00"][(draw("zone") * 5.0) as usize % 5],
                "CA" => "-05:00",
                "GB" => "+00:00",
                "AU" => "+10:00",
                _ => "+01:00",
            };
            for (channel, share, address) in [
                ("email", email_share, format!("{}@example.com", c.id.to_ascii_lowercase())),
                (
                    "sms",
                    0.15,
                    format!(
                        "+1555{:07}",
                        c.id.bytes().fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)))
                            % 10_000_000
                    ),
                ),
            ] {
                if draw(channel) >= share {
                    continue;
                }
                let source = if draw("source") < 0.7 { "checkout" } else { "newsletter_signup" };
                w.write_record([
                    c.id.as_str(),
                    channel,
                    "true",
                    &at(c.joined_day),
                    source,
                    &address,
                    offset,
                ])?;
                if draw(&format!("{channel}-withdraw")) < 0.125 {
                    let later = c.joined_day + 30 + (draw("when") * f64::from(days)) as u32;
                    if later < days {
                        w.write_record([
                            c.id.as_str(),
                            channel,
                            "false",
                            &at(later),
                            "unsubscribe_link",
                            "",
                            offset,
                        ])?;
                    }
                }
            }
        }
        w.flush()
    }

    fn write_tickets(&self, dir: &Path, stats: &mut WriteStats) -> io::Result<()> {
        let mut w = BufWriter::new(File::create(dir.join("tickets.jsonl"))?);
        let mut t = BufWriter::new(File::create(dir.join("ground_truth/tickets.jsonl"))?);
        for k in &self.tickets {
            let at = self.date(k.day).and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp()).unwrap_or(0)
                + k.sec as i64;
            let mut line = serde_json::json!({
                "id": format!("T{:06}", k.id),
                "created_at": self.rfc3339(at),
                "customer_id": k.customer.map(|c| self.customers[c as usize].id.clone()),
                "order_id": k.order.map(World::order_id),
                "channel": k.channel,
                "subject": k.subject,
                "body": k.body,
            });
            // The brand's team answered every ticket but the last fortnight's:
            // those are the open queue the demo's agents start from.
            if k.day + 14 < self.config.days {
                let (after, agent, text) = agent_reply(k.id, k.topic);
                line["status"] = "closed".into();
                line["messages"] = serde_json::json!([{"at": self.rfc3339(at + after), "from": "agent", "author": agent, "body": text}]);
            }
            writeln!(w, "{line}")?;
            let truth = serde_json::json!({
                "id": format!("T{:06}", k.id),
                "topic": k.topic,
                "sentiment": k.sentiment,
                "deadline": k.deadline.map(|d| d.to_string()),
            });
            writeln!(t, "{truth}")?;
            stats.tickets += 1;
        }
        w.flush()?;
        t.flush()?;
        // The brand's help centre, which the demo imports as its knowledge base.
        std::fs::write(dir.join("kb.md"), DEMO_KB)
    }

    fn write_truth(&self, dir: &Path) -> io::Result<()> {
        // Products: the clean attributes the normalizer should recover.
        let mut w = BufWriter::new(File::create(dir.join("products.jsonl"))?);
        for p in &self.products {
            let metals: Vec<serde_json::Value> = p
                .metals()
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "kind": m.kind.canonical(), "karat": m.karat, "fineness": m.fineness(),
                        "colors": m.color.map(|c| vec![c.as_str()]).unwrap_or_default(), "finish": m.finish(),
                    })
                })
                .collect();
            let variants: Vec<serde_json::Value> = p
                .variants
                .iter()
                .map(|v| {
                    let size = match v.size {
                        Some(SizeSpec::Ring(s)) => serde_json::json!({"type": "ring", "us": s}),
                        Some(SizeSpec::Length(l)) => serde_json::json!({"type": "length", "inches": l, "cm": (l as f64 * 2.54 * 10.0).round() / 10.0}),
                        None => serde_json::Value::Null,
                    };
                    serde_json::json!({
                        "sku": v.sku, "price": money(v.price), "metal": {"kind": v.metal.kind.canonical(), "karat": v.metal.karat,
                        "color": v.metal.color.map(|c| c.as_str()), "finish": v.metal.finish()}, "size": size,
                        "unit_cost": money(v.unit_cost), "lead_time_days": v.lead_time_days,
                    })
                })
                .collect();
            let line = serde_json::json!({
                "handle": p.handle, "title": p.title, "category": p.category.as_str(), "kind": p.kind, "gender": p.gender.as_str(),
                "style": p.style.as_str(), "collection": p.collection, "status": p.status,
                "stone": p.stone.as_ref().map(|s| serde_json::json!({"kind": s.kind, "origin": s.origin.as_str(), "carat": s.carat})),
                "metals": metals, "investment": p.investment(), "popularity": (p.popularity * 1000.0).round() / 1000.0,
                "launched_on": self.date(p.launch_day).to_string(), "variants": variants,
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;

        let colls: Vec<serde_json::Value> = self
            .collections
            .iter()
            .map(|c| serde_json::json!({"name": c.name, "style": c.style.as_str(), "stone": c.stone, "handles": c.handles}))
            .collect();
        fs::write(
            dir.join("collections.json"),
            serde_json::to_string_pretty(&colls).unwrap_or_default() + "\n",
        )?;

        let mut w = BufWriter::new(File::create(dir.join("customers.jsonl"))?);
        for c in &self.customers {
            let events: Vec<serde_json::Value> = c
                .life_events
                .iter()
                .map(|e| serde_json::json!({"kind": e.kind.as_str(), "date": self.date(e.day).to_string()}))
                .collect();
            let line = serde_json::json!({
                "id": c.id, "gender": c.gender.as_str(), "country": c.country, "style": c.style.as_str(),
                "metal": c.metal.canonical(), "color": c.color.map(|x| x.as_str()), "budget": c.budget.round(),
                "gifting": (c.gifting * 100.0).round() / 100.0, "ring_size": c.ring_size, "joined_on": self.date(c.joined_day).to_string(),
                "serial_returner": c.serial_returner, "bracketer": c.bracketer, "drift": (c.drift * 100.0).round() / 100.0,
                "life_events": events,
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("demand.csv"))?));
        w.write_record(["date", "sku", "demand", "sold", "lost", "on_hand_end"]).map_err(csv_err)?;
        for d in &self.demand {
            w.write_record([
                self.date(d.day).to_string(),
                self.variant(d.variant).sku.clone(),
                d.demand.to_string(),
                d.sold.to_string(),
                d.lost.to_string(),
                d.on_hand_end.to_string(),
            ])
            .map_err(csv_err)?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("stockouts.csv"))?));
        w.write_record(["sku", "from", "to", "days"]).map_err(csv_err)?;
        for (v, from, to) in &self.stockouts {
            w.write_record([
                self.variant(*v).sku.clone(),
                self.date(*from).to_string(),
                self.date(*to).to_string(),
                (to - from + 1).to_string(),
            ])
            .map_err(csv_err)?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("calendar.csv"))?));
        w.write_record(["date", "traffic", "conversion", "discount", "occasions"]).map_err(csv_err)?;
        for d in &self.calendar {
            let occ: Vec<String> =
                d.occasions.iter().map(|(o, s)| format!("{}:{:.2}", o.as_str(), s)).collect();
            w.write_record([
                d.date.to_string(),
                format!("{:.3}", d.traffic),
                format!("{:.3}", d.conversion),
                format!("{:.2}", d.discount),
                occ.join(" "),
            ])
            .map_err(csv_err)?;
        }
        w.flush()?;

        let mut w = BufWriter::new(File::create(dir.join("campaigns.jsonl"))?);
        for c in &self.campaigns {
            let line = serde_json::json!({
                "kind": match c.kind { CampaignKind::Promotion => "promotion", CampaignKind::SocialSpike => "social_spike" },
                "start": self.date(c.start_day).to_string(), "end": self.date(c.end_day).to_string(),
                "collection": c.collection, "product": c.product.map(|p| self.products[p as usize].handle.clone()),
                "discount": c.discount, "lift": (c.lift * 10.0).round() / 10.0,
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;

        // Queries share relevance sets: relevance depends only on the hard
        // constraints, so "dainty gold necklace" and "gold necklace for mom"
        // point at the same set.
        let mut searched = vec![0u32; self.queries.len()];
        for s in &self.searches {
            searched[s.query as usize] += 1;
        }
        let mut sets: std::collections::HashMap<crate::QuerySpec, usize> = std::collections::HashMap::new();
        let mut set_specs: Vec<crate::QuerySpec> = Vec::new();
        let mut w = BufWriter::new(File::create(dir.join("queries.jsonl"))?);
        for (i, (text, spec)) in self.queries.iter().enumerate() {
            let hard = crate::QuerySpec { style: None, recipient: None, ..spec.clone() };
            let set = *sets.entry(hard.clone()).or_insert_with(|| {
                set_specs.push(hard);
                set_specs.len() - 1
            });
            let line = serde_json::json!({
                "query_id": i, "query": text, "searches": searched[i],
                "spec": {
                    "categories": spec.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    "keyword": spec.keyword, "metal": spec.metal.map(|m| m.canonical()), "color": spec.color.map(|c| c.as_str()),
                    "stone": spec.stone, "max_price": spec.max_price, "collection": spec.collection,
                    "style": spec.style.map(|s| s.as_str()), "recipient": spec.recipient,
                },
                "relevant_set": set,
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;
        let mut by_category: std::collections::HashMap<model::Category, Vec<usize>> = Default::default();
        for (i, p) in self.products.iter().enumerate() {
            by_category.entry(p.category).or_default().push(i);
        }
        let mut w = BufWriter::new(File::create(dir.join("relevant_sets.jsonl"))?);
        for (i, spec) in set_specs.iter().enumerate() {
            // The same set as `World::relevant`, looking only at the spec's categories.
            let mut idx: Vec<usize> = spec
                .categories
                .iter()
                .flat_map(|c| by_category.get(c).into_iter().flatten().copied())
                .collect();
            if spec.categories.is_empty() {
                idx = (0..self.products.len()).collect();
            }
            idx.sort_unstable();
            let handles: Vec<&str> = idx
                .into_iter()
                .map(|i| &self.products[i])
                .filter(|p| spec.matches(p))
                .map(|p| p.handle.as_str())
                .collect();
            let line = serde_json::json!({"set": i, "handles": handles});
            writeln!(w, "{line}")?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("searches.csv"))?));
        w.write_record(["event_id", "session_id", "query_id", "clicks", "purchased"]).map_err(csv_err)?;
        for s in &self.searches {
            w.write_record([
                format!("ev{:08}", s.event),
                format!("s{:07}", s.session),
                s.query.to_string(),
                s.clicks.to_string(),
                opt(s.purchased.map(|p| self.products[p as usize].handle.clone())),
            ])
            .map_err(csv_err)?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join("sessions.csv"))?));
        w.write_record([
            "session_id",
            "customer_id",
            "date",
            "reason",
            "occasion",
            "recipient",
            "category",
            "order_id",
        ])
        .map_err(csv_err)?;
        for s in &self.sessions {
            w.write_record([
                format!("s{:07}", s.session),
                self.customer_id(s.customer),
                self.date(s.day).to_string(),
                s.reason.to_string(),
                opt(s.occasion),
                opt(s.recipient),
                s.category.as_str().to_string(),
                opt(s.order.map(World::order_id)),
            ])
            .map_err(csv_err)?;
        }
        w.flush()
    }

    fn write_summary(&self, path: &Path, stats: &WriteStats) -> io::Result<()> {
        let count = |k: EventKind| self.events.iter().filter(|e| e.kind == k).count();
        let orders = self
            .orders
            .iter()
            .filter(|o| o.qty > 0)
            .map(|o| o.order_no)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let summary = serde_json::json!({
            "seed": self.config.seed,
            "start_date": self.config.start_date.to_string(),
            "days": self.config.days,
            "products": stats.products,
            "active_products": self.products.iter().filter(|p| p.is_active()).count(),
            "variants": stats.variants,
            "customers": self.customers.len(),
            "sessions": self.sessions.len(),
            "orders": orders,
            "order_lines": self.orders.iter().filter(|o| o.qty > 0).count(),
            "return_lines": self.orders.iter().filter(|o| o.qty < 0).count(),
            "events": {
                "total": self.events.len(), "view": count(EventKind::View), "search": count(EventKind::Search),
                "click": count(EventKind::Click), "add_to_cart": count(EventKind::AddToCart),
                "purchase": count(EventKind::Purchase), "return": count(EventKind::Return),
            },
            "distinct_queries": self.queries.len(),
            "units_demanded": self.demand.iter().map(|d| d.demand as u64).sum::<u64>(),
            "units_lost": self.demand.iter().map(|d| d.lost as u64).sum::<u64>(),
            "stockout_spells": self.stockouts.len(),
            "purchase_orders": self.purchase_orders.len(),
            "inventory_rows": stats.inventory_rows,
            "tickets": self.tickets.len(),
        });
        fs::write(path, serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n")
    }
}

/// The demo brand's help centre (`crates/support/data/demo-kb.md`).
pub const DEMO_KB: &str = include_str!("../../support/data/demo-kb.md");

/// When (seconds after the ticket), who and what the brand's team replied,
/// drawn from the ticket id alone so that the rest of the world's draws are
/// untouched: most within a working day, some after a weekend.
fn agent_reply(id: u32, topic: &str) -> (i64, &'static str, &'static str) {
    let mut x = u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 29;
    let after = 1_800 + (x % 100) as i64 * if x % 7 == 0 { 2_600 } else { 430 };
    let agent = ["Maya", "Jonah", "Priya", "Sam"][(x >> 8) as usize % 4];
    let text = match topic {
        "shipping_delay" => "Thanks for your patience. Your order has left our studio and the carrier's tracking link is in your shipping e-mail; it should reach you within two business days.",
        "gift_deadline" => "We have checked your order: with express shipping it will arrive before your date. We have upgraded it at no cost.",
        "ring_sizing" => "Rings can be resized free within 60 days, and exchanged for another size within 30 days. We have e-mailed you a prepaid label.",
        "care" => "A soft cloth and warm soapy water keep it bright; for silver, a polishing cloth removes tarnish. Our care guide is in the help centre.",
        "authenticity" => "Every diamond over 0.50 ct comes with its IGI or GIA report; we have attached a copy of yours.",
        "repair" => "I'm sorry to hear that. This is covered by our one-year warranty: we have e-mailed you a prepaid label for the repair.",
        "engraving" => "We can still add the engraving: it adds two business days. We have updated your order.",
        "refund" => "Your return was received and your refund has been issued today; it can take 3 to 5 business days to show.",
        _ => "Thank you for writing to us; we have taken care of it.",
    };
    (after, agent, text)
}
