"""(Being written: see the issue this hook belongs to.)"""
