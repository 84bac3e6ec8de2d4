/**
 * DMC reacher MJCF, written for pgvar from the fact sheet (spec dmc.md §6.4): Euler at 0.02 s,
 * contacts disabled; a two-link arm hinged about +z with weak motors (gear 0.05); the target is a
 * world sphere whose size and position the task edits every episode.
 */
export const DMC_REACHER_XML = `<mujoco model="two-link planar reacher">
  <option timestep="0.02">
    <flag contact="disable"/>
  </option>
  <default>
    <joint type="hinge" axis="0 0 1" damping="0.01"/>
    <motor gear="0.05" ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.3 0.3 10"/>
    <geom name="root" type="cylinder" fromto="0 0 0 0 0 0.02" size="0.011"/>
    <body name="arm" pos="0 0 0.01">
      <geom name="arm" type="capsule" fromto="0 0 0 0.12 0 0" size="0.01"/>
      <joint name="shoulder"/>
      <body name="hand" pos="0.12 0 0">
        <geom name="hand" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01"/>
        <joint name="wrist" limited="true" range="-160 160"/>
        <body name="finger" pos="0.12 0 0">
          <geom name="finger" type="sphere" size="0.01"/>
        </body>
      </body>
    </body>
    <geom name="target" type="sphere" pos="0 0 0.01" size="0.05"/>
  </worldbody>
  <actuator>
    <motor name="shoulder" joint="shoulder"/>
    <motor name="wrist" joint="wrist"/>
  </actuator>
</mujoco>
`;
