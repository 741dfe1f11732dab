"""Amounts of money as people read them: minor units (pence, cents) in, "£12" or "£12.50" out."""

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def format_money(minor: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{minor // 100}" if minor % 100 == 0 else f"{symbol}{minor / 100:.2f}"
