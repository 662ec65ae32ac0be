"""Adapters: one module per format or provider. See aggregator.adapter for the contract."""
