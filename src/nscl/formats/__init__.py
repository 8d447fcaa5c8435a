"""Django format modules: Vietnamese dates dd/mm/yyyy and numbers 1.234.567,5; English formats for the English interface."""
