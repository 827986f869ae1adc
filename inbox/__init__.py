"""The inbox: finding each input's file (or fetching its URL), keeping the raw bytes, reading them as text.

Reading files and fetching over HTTP belong here, not in the warehouse: this package turns what arrives into
staging rows and hands them to the contracts (data_contracts/), which write the warehouse (warehouse/).
"""
