"""What a CRM really costs: license models, rollout costs and losses, compared over years.

Plain Python with exact decimal money (no floats): `model` holds the inputs and results,
`calculator.compare` does the arithmetic (its docstring states every rule), `catalogue` reads
the example plans and typical roll-out figures from `plans.toml`, and `chart` draws the
cumulative costs as a PNG (imported on its own: it loads matplotlib).
"""
