"""What the user tells memtui: settings (options + TOML file) and their parsing."""
