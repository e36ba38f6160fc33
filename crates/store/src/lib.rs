//! Loupe's crash-safe embedded store (redb): products, orders, inventory, events, keys, tasks, audit log.
