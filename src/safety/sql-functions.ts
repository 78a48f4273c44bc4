// Functions a query may call and still be read-only. Everything else (a user function, nextval,
// pg_reload_conf...) counts as a change: the classifier cannot see what a function does.

/** Functions that end sessions or delete data when called. */
export const DESTRUCTIVE_FUNCTIONS: Record<string, string> = {
  pg_terminate_backend: 'ends other sessions',
  pg_cancel_backend: 'cancels other sessions’ queries',
  lo_unlink: 'deletes a large object',
  pg_drop_replication_slot: 'drops a replication slot',
  pg_replication_origin_drop: 'drops a replication origin',
  pg_stat_reset: 'discards the collected statistics',
  pg_stat_reset_shared: 'discards the collected statistics',
  pg_stat_reset_single_table_counters: 'discards the collected statistics',
  pg_stat_statements_reset: 'discards the collected statistics',
  pg_stat_reset_slru: 'discards the collected statistics',
  pg_stat_reset_replication_slot: 'discards the collected statistics',
  pg_stat_reset_subscription_stats: 'discards the collected statistics',
};

const HARMLESS = new Set(
  `count sum avg min max array_agg string_agg bool_and bool_or every json_agg jsonb_agg json_object_agg
  jsonb_object_agg stddev stddev_pop stddev_samp variance var_pop var_samp percentile_cont percentile_disc
  mode bit_and bit_or corr covar_pop covar_samp regr_slope row_number rank dense_rank percent_rank
  cume_dist ntile lag lead first_value last_value nth_value
  now current_timestamp current_date current_time localtime localtimestamp clock_timestamp
  statement_timestamp transaction_timestamp timeofday date_trunc date_part extract age to_char to_date
  to_timestamp to_number make_interval make_date make_time make_timestamp make_timestamptz
  justify_days justify_hours justify_interval isfinite date_bin timezone overlaps
  length char_length character_length octet_length bit_length lower upper initcap substr substring
  trim btrim ltrim rtrim replace split_part concat concat_ws format left right lpad rpad position
  strpos regexp_replace regexp_match regexp_matches regexp_split_to_table regexp_split_to_array
  regexp_count regexp_like regexp_substr regexp_instr string_to_array array_to_string md5 sha224 sha256
  sha384 sha512 encode decode quote_ident quote_literal quote_nullable to_hex reverse repeat translate
  starts_with ascii chr convert_from convert_to unistr normalize
  abs round ceil ceiling floor trunc mod power pow sqrt cbrt sign ln log log10 exp div pi degrees radians
  width_bucket greatest least random gcd lcm scale numeric int4 int8 float8 text
  json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb
  json_array_length jsonb_array_length jsonb_pretty json_extract_path json_extract_path_text
  jsonb_extract_path jsonb_extract_path_text row_to_json array_to_json json_each jsonb_each
  json_each_text jsonb_each_text json_object_keys jsonb_object_keys json_typeof jsonb_typeof
  jsonb_path_query jsonb_path_exists jsonb_path_match jsonb_strip_nulls json_strip_nulls jsonb_set
  json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text
  array_length array_lower array_upper array_ndims array_dims cardinality unnest array_position
  array_positions array_remove array_append array_prepend array_cat array_replace generate_series
  generate_subscripts nullif coalesce
  version current_database current_catalog current_schema current_schemas current_user session_user
  current_role user current_setting pg_backend_pid pg_postmaster_start_time pg_conf_load_time
  inet_server_addr inet_server_port inet_client_addr inet_client_port pg_is_in_recovery
  pg_is_wal_replay_paused pg_get_wal_replay_pause_state pg_last_xact_replay_timestamp
  pg_last_wal_receive_lsn pg_last_wal_replay_lsn pg_current_wal_lsn pg_current_wal_insert_lsn
  pg_current_wal_flush_lsn pg_wal_lsn_diff pg_walfile_name pg_walfile_name_offset pg_database_size
  pg_relation_size pg_total_relation_size pg_table_size pg_indexes_size pg_size_pretty pg_size_bytes
  pg_column_size pg_tablespace_size pg_table_is_visible pg_typeof format_type obj_description
  col_description shobj_description pg_has_role pg_blocking_pids pg_safe_snapshot_blocking_pids
  pg_control_checkpoint pg_control_system pg_control_recovery pg_control_init
  pg_xact_commit_timestamp txid_current_snapshot pg_current_snapshot pg_snapshot_xmin
  pg_snapshot_xmax txid_snapshot_xmin txid_snapshot_xmax pg_relation_filepath pg_relation_filenode
  to_regclass to_regproc to_regprocedure to_regtype to_regnamespace to_regrole pg_encoding_to_char
  pg_is_other_temp_schema pg_my_temp_schema pg_trigger_depth pg_jit_available pg_ls_waldir
  pg_ls_logdir pg_tablespace_location pg_lock_status pg_sequence_last_value pg_stat_statements
  pg_postmaster_start_time pg_sleep pg_sleep_for gen_random_uuid uuid_generate_v4 set_config
  pg_get_userbyid pg_get_serial_sequence pg_get_expr pg_get_keywords pg_get_replication_slots
  pg_current_xact_id_if_assigned pg_xact_status txid_status pg_backup_start_time pg_wal_replay_wait
  pg_options_to_table pg_get_object_address pg_identify_object
  host masklen network family abbrev inet_same_family pg_client_encoding
  to_tsvector to_tsquery plainto_tsquery ts_rank ts_headline string_to_table num_nulls num_nonnulls`.split(/\s+/),
);

/** True for a function known to change nothing; names compared in lower case, schema pg_catalog only. */
export function harmlessFunction(name: string): boolean {
  return (
    HARMLESS.has(name) ||
    /^has_\w+_privilege$/.test(name) ||
    /^pg_stat_get_\w+$/.test(name) ||
    /^pg_get_\w+def$/.test(name) ||
    /^pg_stat_\w+$/.test(name) && !name.startsWith('pg_stat_reset')
  );
}
