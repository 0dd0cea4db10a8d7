"""What a CRM really costs: license models, rollout costs and losses, compared over years.

Plain Python with exact decimal money (no floats): `model` holds the inputs and results,
`calculator.compare` does the arithmetic, `catalogue` reads the example plans from a data file.
"""
