//! Deterministic simulator of a direct-to-consumer jewelry brand: catalog, customers, sessions, orders, inventory, tickets, ground truth.
