def make_base():
    return type("Made", (), {})
