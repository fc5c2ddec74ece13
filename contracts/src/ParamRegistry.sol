// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ParamRegistry
/// @notice The network's tunable parameters: typed keys with fixed bounds, set only by governance (the Timelock,
/// immutable here) and only within bounds. Bounds are written once in the constructor and never change.
/// Also holds the 2-of-3 disburser signer set that approves payout batches; only governance rotates it.
contract ParamRegistry {
    /// @notice What a value means, so that clients convert it correctly.
    enum Unit {
        Milliseconds,
        Seconds,
        Days,
        Slots,
        Count,
        Bytes,
        Megabytes,
        PartsPerMillion,
        Level,
        Usd6
    }

    struct Param {
        uint256 value;
        uint256 min;
        uint256 max;
        Unit unit;
        bool exists;
    }

    // Keys are short ASCII names, readable with ethers.decodeBytes32String.
    bytes32 public constant SLOT_DURATION_S = "slot.durationS";
    bytes32 public constant LEADER_TIMEOUT_MS = "leader.timeoutMs";
    bytes32 public constant LEADER_COOLDOWN_SLOTS = "leader.cooldownSlots";
    bytes32 public constant CREDIT_WINDOW_DAYS = "credit.windowDays";
    bytes32 public constant HEARTBEAT_INTERVAL_S = "heartbeat.intervalS";
    bytes32 public constant MAX_PEERS = "net.maxPeers";
    bytes32 public constant CHUNK_SIZE_BYTES = "chunk.sizeBytes";
    bytes32 public constant BASE_MB_PER_SESSION = "reward.baseMbPerSession";
    bytes32 public constant D_MIN_PPM = "reward.dMinPpm";
    bytes32 public constant MIN_KYC_LEVEL = "kyc.minLevel";
    bytes32 public constant MAX_SESSION_DURATION_S = "session.maxDurationS";
    bytes32 public constant PAYOUT_EPOCH_S = "payout.epochS";
    bytes32 public constant PAYOUT_MINIMUM_USD6 = "payout.minimumUsd6";
    bytes32 public constant PAYOUT_MAX_PER_TX_USD6 = "payout.maxPerTxUsd6";
    bytes32 public constant PAYOUT_DAILY_CAP_USD6 = "payout.dailyCapUsd6";

    /// @notice The only address that sets values or rotates disbursers: the Timelock that executes Governor decisions.
    address public immutable governance;

    mapping(bytes32 key => Param) private _params;
    bytes32[] private _keys;

    address[3] private _disbursers;
    uint256 public disburserSetVersion;

    event ParameterSet(bytes32 indexed key, uint256 oldValue, uint256 newValue);
    event DisbursersRotated(uint256 indexed version, address[3] signers);

    error NotGovernance(address caller);
    error UnknownKey(bytes32 key);
    error OutOfBounds(bytes32 key, uint256 value, uint256 min, uint256 max);
    error PerTxCapAboveDailyCap(uint256 perTx, uint256 daily);
    error InvalidSignerSet();

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    constructor(address governance_, address[3] memory disbursers_) {
        governance = governance_;
        _define(SLOT_DURATION_S, 120, 120, 120, Unit.Seconds); // fixed in genesis
        _define(LEADER_TIMEOUT_MS, 5000, 1000, 10000, Unit.Milliseconds);
        _define(LEADER_COOLDOWN_SLOTS, 16, 8, 64, Unit.Slots);
        _define(CREDIT_WINDOW_DAYS, 7, 3, 14, Unit.Days);
        _define(HEARTBEAT_INTERVAL_S, 30, 10, 120, Unit.Seconds);
        _define(MAX_PEERS, 50, 10, 200, Unit.Count);
        _define(CHUNK_SIZE_BYTES, 8 << 20, 64 << 10, 16 << 20, Unit.Bytes);
        _define(BASE_MB_PER_SESSION, 5, 1, 20, Unit.Megabytes);
        _define(D_MIN_PPM, 200_000, 100_000, 500_000, Unit.PartsPerMillion);
        _define(MIN_KYC_LEVEL, 2, 1, 5, Unit.Level);
        _define(MAX_SESSION_DURATION_S, 3600, 300, 86400, Unit.Seconds);
        _define(PAYOUT_EPOCH_S, 30 days, 60, 31 days, Unit.Seconds); // a devnet shortens it
        _define(PAYOUT_MINIMUM_USD6, 10e6, 1e6, 100e6, Unit.Usd6);
        _define(PAYOUT_MAX_PER_TX_USD6, 10_000e6, 10e6, 1_000_000e6, Unit.Usd6);
        _define(PAYOUT_DAILY_CAP_USD6, 100_000e6, 100e6, 10_000_000e6, Unit.Usd6);
        _setDisbursers(disbursers_);
    }

    /// @notice Sets a parameter; only governance, only within the key's bounds.
    function setParameter(bytes32 key, uint256 value) external onlyGovernance {
        Param storage p = _params[key];
        if (!p.exists) revert UnknownKey(key);
        if (value < p.min || value > p.max) revert OutOfBounds(key, value, p.min, p.max);
        if (key == PAYOUT_MAX_PER_TX_USD6 && value > _params[PAYOUT_DAILY_CAP_USD6].value) {
            revert PerTxCapAboveDailyCap(value, _params[PAYOUT_DAILY_CAP_USD6].value);
        }
        if (key == PAYOUT_DAILY_CAP_USD6 && value < _params[PAYOUT_MAX_PER_TX_USD6].value) {
            revert PerTxCapAboveDailyCap(_params[PAYOUT_MAX_PER_TX_USD6].value, value);
        }
        emit ParameterSet(key, p.value, value);
        p.value = value;
    }

    /// @notice Rotates the 2-of-3 disburser set; only governance. Three distinct non-zero addresses.
    function setDisbursers(address[3] calldata signers) external onlyGovernance {
        _setDisbursers(signers);
    }

    function get(bytes32 key) external view returns (uint256) {
        Param storage p = _params[key];
        if (!p.exists) revert UnknownKey(key);
        return p.value;
    }

    function parameter(bytes32 key) external view returns (uint256 value, uint256 min, uint256 max, Unit unit) {
        Param storage p = _params[key];
        if (!p.exists) revert UnknownKey(key);
        return (p.value, p.min, p.max, p.unit);
    }

    function keys() external view returns (bytes32[] memory) {
        return _keys;
    }

    function disbursers() external view returns (address[3] memory) {
        return _disbursers;
    }

    function isDisburser(address account) external view returns (bool) {
        return account != address(0)
            && (account == _disbursers[0] || account == _disbursers[1] || account == _disbursers[2]);
    }

    function _define(bytes32 key, uint256 value, uint256 min, uint256 max, Unit unit) private {
        _params[key] = Param({value: value, min: min, max: max, unit: unit, exists: true});
        _keys.push(key);
        emit ParameterSet(key, 0, value);
    }

    function _setDisbursers(address[3] memory signers) private {
        if (
            signers[0] == address(0) || signers[1] == address(0) || signers[2] == address(0)
                || signers[0] == signers[1] || signers[0] == signers[2] || signers[1] == signers[2]
        ) revert InvalidSignerSet();
        _disbursers = signers;
        disburserSetVersion++;
        emit DisbursersRotated(disburserSetVersion, signers);
    }
}
