//! Demand forecasting, backtests, slow movers and replenishment suggestions, with reasons.
