"""Generic suites that apply to every adapter: the contract and the fixture snapshots."""
