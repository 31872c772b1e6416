"""Who may do what: the Authors, Editors and Moderators groups and the rules behind them."""
