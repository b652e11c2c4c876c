"""The USGS MCS files' quirks, as data: commodity abbreviations and the header faults fixed.

Each header fix was checked against the other edition's file for the overlapping years.
"""

from __future__ import annotations

# File abbreviation (mcsYYYY-<abbr>_world.csv) -> (catalogue mineral, default stage).
COMMODITIES: dict[str, tuple[str, str]] = {
    "abras": ("abrasives", "refining"), "alumi": ("aluminium", "refining"),
    "alum": ("aluminium", "refining"), "antim": ("antimony", "mining"),
    "arsen": ("arsenic", "refining"), "asbes": ("asbestos", "mining"),
    "barit": ("barite", "mining"), "bauxi": ("bauxite", "mining"),
    "beryl": ("beryllium", "mining"), "bismu": ("bismuth", "refining"),
    "boron": ("boron", "mining"), "bromi": ("bromine", "refining"),
    "cadmi": ("cadmium", "refining"), "cemen": ("cement", "refining"),
    "chrom": ("chromium", "mining"), "clays": ("clays", "mining"), "cobal": ("cobalt", "mining"),
    "coppe": ("copper", "mining"), "diamo": ("industrial_diamond", "mining"),
    "diato": ("diatomite", "mining"), "felds": ("feldspar", "mining"),
    "feore": ("iron_ore", "mining"), "fepig": ("iron_oxide_pigments", "mining"),
    "feste": ("iron_and_steel", "refining"), "fescr": ("iron_and_steel", "refining"),
    "fesla": ("iron_and_steel", "refining"), "fluor": ("fluorspar", "mining"),
    "galli": ("gallium", "refining"), "garne": ("garnet", "mining"),
    "gemst": ("gem_diamond", "mining"), "germa": ("germanium", "refining"),
    "gold": ("gold", "mining"), "graph": ("graphite", "mining"), "gypsu": ("gypsum", "mining"),
    "heliu": ("helium", "mining"), "indiu": ("indium", "refining"), "iodin": ("iodine", "mining"),
    "kyani": ("kyanite", "mining"), "lead": ("lead", "mining"), "lime": ("lime", "refining"),
    "lithi": ("lithium", "mining"), "lithium": ("lithium", "mining"),
    "manga": ("manganese", "mining"),
    "mercu": ("mercury", "mining"), "mgcomp": ("magnesite", "mining"),
    "mgmet": ("magnesium", "refining"), "mica": ("mica", "mining"),
    "molyb": ("molybdenum", "mining"), "nicke": ("nickel", "mining"),
    "niobi": ("niobium", "mining"), "nitro": ("nitrogen", "refining"), "peat": ("peat", "mining"),
    "perli": ("perlite", "mining"), "phosp": ("phosphate_rock", "mining"),
    "plati": ("platinum_group_metals", "mining"), "quart": ("quartz_crystal", "refining"),
    "potas": ("potash", "mining"),
    "pumic": ("pumice", "mining"), "raree": ("rare_earths", "mining"),
    "rareee": ("rare_earths", "mining"),
    "rheni": ("rhenium", "mining"), "salt": ("salt", "mining"),
    "sandi": ("industrial_sand_and_gravel", "mining"), "scand": ("scandium", "refining"),
    "scandi": ("scandium", "refining"), "selen": ("selenium", "refining"),
    "silve": ("silver", "mining"), "simet": ("silicon", "refining"),
    "sodaa": ("soda_ash", "mining"), "stond": ("dimension_stone", "mining"),
    "stron": ("strontium", "mining"), "sulfu": ("sulfur", "refining"), "talc": ("talc", "mining"),
    "tanta": ("tantalum", "mining"), "tellu": ("tellurium", "refining"),
    "timin": ("titanium", "mining"), "tin": ("tin", "mining"), "titan": ("titanium", "refining"),
    "tungs": ("tungsten", "mining"), "vanad": ("vanadium", "mining"),
    "vermi": ("vermiculite", "mining"), "wolla": ("wollastonite", "mining"),
    "yttri": ("yttrium", "mining"), "zeoli": ("zeolites", "mining"), "zinc": ("zinc", "mining"),
    "zirco": ("zirconium", "mining"), "zirco-hafni": ("zirconium", "mining"),
    "quartz": ("quartz_crystal", "refining"), "sandc": ("construction_sand_and_gravel", "mining"),
    "stonec": ("crushed_stone", "mining"), "stonc": ("crushed_stone", "mining"),
    "thall": ("thallium", "refining"),
    "thalli": ("thallium", "refining"), "thori": ("thorium", "mining"),
}
# COMMODITY of the single world file (MCSYYYY_World_Data.csv, MCS 2025 on), case-folded and
# with spaces collapsed -> file abbreviation above (USGS's spellings kept: "gemanium").
WORLD_NAMES: dict[str, str] = {
    "abrasives": "abras", "aluminum": "alumi", "antimony": "antim", "arsenic": "arsen",
    "asbestos": "asbes", "barite": "barit", "bauxite": "bauxi", "beryllium": "beryl",
    "bismuth": "bismu", "boron": "boron", "bromine": "bromi", "cadmium": "cadmi",
    "cement": "cemen", "chromium": "chrom", "clays": "clays", "cobalt": "cobal",
    "copper": "coppe", "diamond (industrial)": "diamo", "diatomite": "diato",
    "feldspar": "felds", "fluorspar": "fluor", "gallium": "galli", "garnet (industrial)": "garne",
    "gemanium": "germa", "germanium": "germa", "gemstones": "gemst", "gold": "gold",
    "graphite": "graph", "gypsum": "gypsu", "helium": "heliu", "indium": "indiu",
    "iodine": "iodin", "iron ore": "feore", "iron and steel": "feste",
    "iron oxide pigments": "fepig", "kyanite and related minerals": "kyani", "lead": "lead",
    "lime": "lime", "lithium": "lithi", "magnesium compounds": "mgcomp",
    "magnesium metal": "mgmet", "manganese": "manga", "mercury": "mercu",
    "mica (natural)": "mica", "molybdenum": "molyb", "nickel": "nicke", "niobium": "niobi",
    "nitrogen(fixed) - ammonia": "nitro", "peat": "peat", "perlite": "perli",
    "phosphate rock": "phosp", "platinum-group metals": "plati", "potash": "potas",
    "pumice & pumicite": "pumic", "rare earths": "raree", "rhenium": "rheni", "salt": "salt",
    "sand and gravel (industrial)": "sandi", "selenium": "selen", "silicon": "simet",
    "silver": "silve", "soda ash": "sodaa", "strontium": "stron", "sulfur": "sulfu",
    "talc and pyrophyllite": "talc", "talc, crude": "talc", "tantalum": "tanta",
    "tellurium": "tellu", "tin": "tin", "titanium & titanium dioxide": "titan",
    "titanium mineral concentrates": "timin", "tungsten": "tungs", "vanadium": "vanad",
    "vermiculite": "vermi", "wollastonite": "wolla", "zeolites (natural)": "zeoli",
    "zinc": "zinc", "zirconium and hafnium": "zirco",
}
# UNIT_MEAS of the single world file -> (unit, factor), as the per-file header units.
WORLD_UNITS: dict[str, tuple[str, float]] = {
    "metric tons": ("t", 1.0), "thousand metric tons": ("t", 1e3),
    "thousand metric dry tons": ("t", 1e3), "million metric tons": ("t", 1e6),
    "kilograms": ("t", 1e-3), "thousand carats": ("thousand carats", 1.0),
    "million carats": ("million carats", 1.0), "million cubic meters": ("million m3", 1.0),
}
# UNIT_MEAS faults of the single world file, per edition and abbreviation: the unit the values
# are in (their 2023 figures are MCS 2024's, in its Prod_kt columns).
WORLD_UNIT_FIXES: dict[str, str] = {
    "mcs2025-timin": "thousand metric tons",  # "metric tons": world ilmenite 8,840 (kt)
    "mcs2025-sandi": "thousand metric tons",  # "metric tons": United States 133,000 (kt)
}
# Cell faults, per file stem: (line, column) -> (cell as published, the figure it stands for).
CELL_FIXES: dict[str, dict[tuple[int, str], tuple[str, str]]] = {
    # kaolin world total 2024e "4400" kt, a zero short: the countries sum to 44,240 kt (2023:
    # world 44,400 kt)
    "mcs2025_world_data": {(264, "PROD_EST_ 2024"): ("4400", "44000")},
}
# Words of a Type text or salient form that name another catalogue mineral than the file's.
SPLITS: dict[str, dict[str, str]] = {
    "plati": {w: w for w in ("palladium", "platinum", "iridium", "rhodium", "ruthenium",
                             "osmium")},
    "bauxi": {"alumina": "alumina"}, "clays": {"bentonite": "bentonite", "kaolin": "kaolin"},
    "zirco": {"hf": "hafnium"}, "zirco-hafni": {"hf": "hafnium"},
}
# Header faults of the publisher, per file stem (mcsYYYY-<abbr>_<kind>) or for every edition
# (<abbr>_<kind>): raw header -> fix (None: not loaded), in order of occurrence when a header is
# repeated; or, per stem only, the whole header by position. Each fix follows the
# other edition's file or the values (checked against the overlapping years of the other one).
_W, _S = ["Source", "Country", "Type"], ["DataSource", "Commodity", "Year"]
HEADER_FIXES: dict[str, dict[str, tuple[str | None, ...]] | list[str | None]] = {
    "mcs2024-feore_world": {"Reserves_mt": ("Reserves_Mt",)},  # note: "million metric tons"
    # reserves in t (world 95,000; MCS 2023 81,000 t; MCS 2025 92,000 t), not kt
    "mcs2024-selen_world": {"Reserves_kt": ("Reserves_t",)},
    # reserves in kt like production (China 72,000; MCS 2023 56,000 kt, MCS 2025 60,000 kt)
    "mcs2024-talc_world": {"Reserves_t": ("Reserves_kt",)},
    "mcs2023-chrom_world": {"Prod_t_2021": ("Prod_kt_2021",),  # note: "thousand metric tons"
                            "Prod_t_est_2022": ("Prod_kt_est_2022",)},
    # an unnamed 9th column repeats Reserves_kt
    "mcs2024-barit_world": [*_W[:3], "Prod_kt_2022", "Prod_kt_est_2023", "Prod_note",
                            "Reserves_kt", "Reserves_notes", None],
    # unexplained numbers under Reserves_notes (US 45, Brazil 8100...), the notes one column on
    "mcs2024-vermi_world": [*_W[:3], "Prod_kt_2022", "Prod_kt_est_2023", "Prod_notes",
                            "Reserves_kt", None, "Reserves_notes"],
    # a blank column after Exports shifts the rest of every row by one
    "mcs2024-felds_salient": [*_S, "USprod_Feldspar_kt", "Imports_Feldspar_kt",
                              "Imports_Nepheline_syenite_kt", "Exports_Feldspar_kt", None,
                              "Consump_Feldspar_kt", "Consump_Felds-plus-neph_kt",
                              "Price_Feldspar_dt", "Price_Nepheline_syenite_dt",
                              "Employment_num", "NIR_Feldspar_pct", "NIR_Nepheline_syenite_pct"],
    # a blank column after Year, then the MCS 2023 columns (the header lost two of them)
    "mcs2024-fluor_salient": [*_S, None, "USprod_Metallurgical_kt", "USprod_H2SiF6_kt",
                              "Imports_Acid_kt", "Imports_Metallurgical_kt", "Imports_Total_Fl_kt",
                              "Imports_HF_kt", "Imports_AlF3_kt", "Imports_Cryolite_kt",
                              "Exports_All_kt", "Consump_kt", "Price_Acid_dt",
                              "Price_Metallurgical_dt", "Employment_Mine_num", "NIR_pct"],
    # labels rotated against the values (which match the MCS 2023 series); 2nd unidentified
    "mcs2024-lead_salient": [*_S, "USprod_Mine_kt", None, "USprod_Refinery_Primary_kt",
                             "USprod_Refinery_Secondary_kt", "Imports_Concentrates_kt",
                             "Imports_Metal_kt", "Exports_Concentrates_kt", "Exports_Metal_kt",
                             "Consump_kt", "Price_North_American_ctslb", "Employment_num",
                             "NIR_Metal_pct"],
    "mcs2023-feste_salient": {"Exports_Total": ("Exports_Total_mmt",)},
    "mcs2023-lead_salient": {"Consump_t": ("Consump_kt",)},  # 1,550 "t" = MCS 2024's 1,630 kt
    "mcs2023-niobi_salient": {"Price_kg": ("Price_dkg",)},
    "mcs2024-bauxi_salient": {"Bauxite_Price_kt": ("Bauxite_Price_dt",)},
    "mcs2024-chrom_salient": {"CASE STATEMENT ERROROre_dt": ("Price_Ore_dt",),
                              "CASE STATEMENT ERRORFerrrochromium_dlb":
                                  ("Price_Ferrochromium_dlb",),
                              "CASE STATEMENT ERRORMetal_dlb": ("Price_Metal_dlb",)},
    "mcs2024-fepig_salient": {"CASE STATEMENT ERRORt": ("USprod_Crude_t", None)},
    "mcs2024-feste_salient": {"Consump_mmt": (None, "Consump_mmt"),  # 1st: continuous cast %
                              "Price_Index_mmt": ("Price_Index",)},
    "mcs2024-galli_salient": {"Exports_g": ("Exports_kg",), "Consump_g": ("Consump_kg",),
                              "Stocks_g": ("Stocks_kg",)},
    "mcs2024-nicke_salient": {"Price_dt dlb (both used)": ("Price_LME_dt", "Price_LME_dlb")},
    "mcs2024-selen_salient": {"Price_US_dlb": ("Price_US_dkg",),  # 20 = MCS 2023's 9.15 $/lb
                              "Price_Europe_dlb": ("Price_Europe_dkg",)},
    "mcs2024-tin_salient": {"Consump_": ("Consump_t",)},
    # four prices all headed Price_dt: MCS 2024's order (its 2020-22 values are the same)
    "mcs2025-timin_salient": {"Price_dt": ("Price_Rutile_dt", "Price_Ilmente_Leucoxene_dt",
                                           "Price_Ilmenite_dt", "Price_Slag_dt")},
    # Faults repeated from one edition to the next: keyed <abbr>_<kind>, fixed in every edition
    # whose file has the raw header (an edition's own entry above takes precedence).
    # manganese ore and tungsten (APT) prices are per metric ton unit (MCS text), not per ton
    "manga_salient": {"Price_CN_CIF_dt": ("Price_CN_CIF_dmtu",)},
    "tungs_salient": {"Price_WO3_dt": ("Price_WO3_dmtu",), "Price_WO3dt": ("Price_WO3dmtu",),
                      "Stocks_": ("Stocks_t",)},
    "bauxi_salient": {"Alumina_Price_kt": ("Alumina_Price_dt",)},  # 394..518 USD/t
    "diamo_salient": {"Bort_Price_Imports_mct": ("Bort_Price_Imports_dct",),
                      "Stones_Price_Imports_mct": ("Stones_Price_Imports_dct",)},
    "iodin_salient": {"Consump_t": ("Consump_App_t", "Consump_Rpt_t")},
    "mercu_salient": {"Price_Imports_df": ("Price_Imports_dkg",)},
    "mica_salient": {"USprod_Flake_t": ("USprod_Flake_Sold_t", "USprod_Flake_Ground_t"),
                     "Price_Sheet-Block_dt": ("Price_Sheet-Block_dkg",),
                     "Price_Sheet-Splittings_dt": ("Price_Sheet-Splittings_dkg",)},
    "sandi_salient": {"Sold_kt": ("USprod_kt",)},
    "stond_salient": {"Price_Average_mdol": (None,), "Granite_Price_mdol": (None,)},
    "zirco_salient": {"Price_Zircon_premium_CIF_CN_t": ("Price_Zircon_premium_CIF_CN_dt",),
                      "Price_Zircon_imported_t": ("Price_Zircon_imported_dt",),
                      "Price_Zircon_sponge_CN_t": ("Price_Zircon_sponge_CN_dkg",),
                      "Price_Hf_unwrought_t": ("Price_Hf_unwrought_dkg",)},
    # MCS 2025 first: 30,000 "g" = MCS 2024's 30,000 kg; the index 184, 351, 382 = MCS 2024's
    "germa_salient": {"Consump_g": ("Consump_kg",)},
    "feste_salient": {"Prod_Price_index": ("Price_Index",)},
    "rareee_salient": {"Employment_": ("Employment_num",)},
    # the group glued to the variable (HPQProduction_t): HPQ high-purity quartz, Crystal cultured
    "quart_salient": {
        "HPQProduction_t": ("HPQ_Production_t",), "HPQImports_t": ("HPQ_Imports_t",),
        "HPQExports_t": ("HPQ_Exports_t",), "HPQPrice_dt": ("HPQ_Price_dt",),
        "HPQNIR_pct": ("HPQ_NIR_pct",), "CrystalProduction_t": ("Crystal_Production_t",),
        "CrystalImports, piezoelectric_t": ("Crystal_Imports_piezoelectric_t",),
        "CrystalExports, piezoelectric_t": ("Crystal_Exports_piezoelectric_t",),
        "CrystalPrice_cultured_dkg": ("Crystal_Price_cultured_dkg",),
        "CrystalPrice_lumbered_dkg": ("Crystal_Price_lumbered_dkg",),
        "CrystalNIR_pct": ("Crystal_NIR_pct",)},
}
