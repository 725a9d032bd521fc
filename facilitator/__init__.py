"""The facilitator console."""
