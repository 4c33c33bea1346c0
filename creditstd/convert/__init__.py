"""``creditstd convert``'s foundation: mapping files, named transforms, a safe XML record reader, and the engine.
"""
